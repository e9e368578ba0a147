# Sanitizer and fuzzer instrumentation for the whole build.
#
#   -DGONGKAI_SANITIZE=address,undefined   ASan + UBSan everywhere (gcc or
#                                          clang); UBSan findings abort
#   -DGONGKAI_BUILD_FUZZERS=ON             clang only: libFuzzer targets in
#                                          fuzz/; implies address,undefined
#                                          unless GONGKAI_SANITIZE says else
#
# The flags go on every target, the plugins included: a plugin dlopen'd into
# a sanitized host must be built with the same runtime's instrumentation, and
# coverage of the plugins is what guides the fuzzer through them.
include_guard(GLOBAL)

if(GONGKAI_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR
      "GONGKAI_BUILD_FUZZERS needs clang (libFuzzer): configure with "
      "CC=clang-14 CXX=clang++-14")
  endif()
  if(GONGKAI_SANITIZE STREQUAL "")
    set(GONGKAI_SANITIZE "address,undefined" CACHE STRING
        "Sanitizers for the whole build, e.g. address,undefined" FORCE)
  endif()
  # Coverage instrumentation everywhere; only the fuzz targets link the
  # libFuzzer driver (-fsanitize=fuzzer, fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()

if(NOT GONGKAI_SANITIZE STREQUAL "")
  message(STATUS "gongkai: building with -fsanitize=${GONGKAI_SANITIZE}")
  add_compile_options(-fsanitize=${GONGKAI_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${GONGKAI_SANITIZE})
  # No leak or bounds report should be hidden by the optimizer folding code.
  if(GONGKAI_SANITIZE MATCHES "address")
    add_compile_options(-fno-optimize-sibling-calls)
  endif()
endif()

# Plugins link with -z defs (plugins/sdk/cmake/GongkaiPlugin.cmake): every
# symbol must resolve at link time. clang, unlike gcc, does not link the
# sanitizer runtime into shared objects -- the executable carries it -- so
# a sanitized clang plugin has undefined __asan_*/__ubsan_* symbols by
# design. Re-allow undefined symbols for the MODULE libraries under `dir`
# (recursively) in that one case; -z undefs after -z defs wins.
function(gongkai_sanitize_modules dir)
  if(GONGKAI_SANITIZE STREQUAL "" OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "MODULE_LIBRARY" OR type STREQUAL "SHARED_LIBRARY")
      target_link_options(${t} PRIVATE "LINKER:-z,undefs")
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    gongkai_sanitize_modules(${sub})
  endforeach()
endfunction()
