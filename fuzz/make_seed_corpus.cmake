# Build-time script: the fuzzers' seed corpus, one flat dir of the corpus
# documents (seeds/input/*, dev/*/input/*) and the kept regression inputs.
#   cmake -DCORPUS=<shared/corpus> -DREGRESSIONS=<fuzz/regressions>
#         -DOUT=<dir> -P make_seed_corpus.cmake
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
file(GLOB seeds ${CORPUS}/seeds/input/*)
file(GLOB dev ${CORPUS}/dev/*/input/*)
file(GLOB_RECURSE kept ${REGRESSIONS}/*)
foreach(f ${seeds} ${dev} ${kept})
  if(IS_DIRECTORY ${f} OR f MATCHES "README.md$")
    continue()
  endif()
  # <parent dir>_<file>, so dev/ocr/input/seed001.txt and
  # dev/lynx/input/seed001.txt stay apart.
  get_filename_component(dir ${f} DIRECTORY)
  get_filename_component(parent ${dir} NAME)
  if(parent STREQUAL "input")
    get_filename_component(dir ${dir} DIRECTORY)
    get_filename_component(parent ${dir} NAME)
  endif()
  get_filename_component(name ${f} NAME)
  configure_file(${f} ${OUT}/${parent}_${name} COPYONLY)
endforeach()
