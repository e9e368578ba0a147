# gongkai_add_plugin(<name> <source>...): builds the plugin libgongkai_<name>.so
# as a MODULE that exports only its entry point. Used in tree and installed
# with the SDK package.
set_property(GLOBAL PROPERTY GONGKAI_PLUGIN_MAP
  "${CMAKE_CURRENT_LIST_DIR}/gongkai_plugin.map")

# Applies the plugin build settings to an existing MODULE target.
function(gongkai_plugin_properties target)
  get_property(map GLOBAL PROPERTY GONGKAI_PLUGIN_MAP)
  if(TARGET gongkai::plugin_sdk)
    target_link_libraries(${target} PRIVATE gongkai::plugin_sdk)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_SYSTEM_NAME MATCHES "Linux|GNU|FreeBSD")
    # Only the entry symbol is exported (even libstdc++ template instances
    # stay local), and every symbol must resolve when the plugin is linked,
    # not when the host dlopens it.
    target_link_options(${target} PRIVATE
      "LINKER:--version-script=${map}" "LINKER:-z,defs")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${map}")
  endif()
endfunction()

function(gongkai_add_plugin name)
  if(NOT name MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "gongkai_add_plugin: name '${name}' must match [a-z0-9_]+")
  endif()
  add_library(gongkai_${name} MODULE ${ARGN})
  gongkai_plugin_properties(gongkai_${name})
  set_target_properties(gongkai_${name} PROPERTIES OUTPUT_NAME gongkai_${name})
endfunction()
