# The dynamic linker resolves each symbol reference by searching the loaded libraries in load
# order (the program's own list first, then breadth first). Debian's LibTorch alone loads ~290
# libraries (OpenCV, FFmpeg, GDAL and theirs), and a library deep in that order that calls its
# own functions has each call looked up through everything before it: 0.3 s of every start here.
# seqseg_order_symbol_lookup(TARGET PROGRAM) puts the libraries of
# cmake/symbol_lookup_order/PROGRAM.txt (most bound-to first; scripts/symbol-lookup-order remakes
# it after a change of libraries) at the head of TARGET's list. Only the search order changes:
# tests/e2e/symbol_lookup_order_test.cpp checks that every reference still binds to the same
# library. Debian's LibTorch only (the lists name its libraries).
function(seqseg_order_symbol_lookup target program)
  # AddressSanitizer's runtime must be the first library instead.
  if(NOT SEQSEG_TORCH STREQUAL "debian" OR SEQSEG_SANITIZE MATCHES "address")
    return()
  endif()
  set(list_file ${PROJECT_SOURCE_DIR}/cmake/symbol_lookup_order/${program}.txt)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${list_file})
  file(STRINGS ${list_file} sonames REGEX "^[^#]")
  set(libraries "")
  foreach(soname IN LISTS sonames)
    string(MAKE_C_IDENTIFIER "SEQSEG_LOOKUP_${soname}" variable)
    find_library(${variable} NAMES ${soname} NO_CACHE)
    if(${variable})  # a library this machine lacks is left out, not an error
      list(APPEND libraries ${${variable}})
    endif()
  endforeach()
  # Link options come before the objects and libraries on the link line, hence first in the
  # program's list; --no-as-needed keeps each one listed.
  target_link_options(${target} PRIVATE "LINKER:--push-state,--no-as-needed" ${libraries}
                      "LINKER:--pop-state")
endfunction()
