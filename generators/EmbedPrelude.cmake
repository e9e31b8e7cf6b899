# Script mode: cmake -DHEADER=<bare_metal.hpp> -DTEMPLATE=<PreludeText.cpp.in> -DOUTPUT=<.cpp>
#   -P EmbedPrelude.cmake
# Writes OUTPUT with the header's text as a raw string literal (delimiter luminar_prelude),
# so the generators and the shipped header can never differ.
foreach(var HEADER TEMPLATE OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "EmbedPrelude.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT EXISTS "${HEADER}")
  message(FATAL_ERROR "EmbedPrelude.cmake: ${HEADER} does not exist")
endif()
file(READ "${HEADER}" LUMINAR_PRELUDE_TEXT)
string(FIND "${LUMINAR_PRELUDE_TEXT}" ")luminar_prelude\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${HEADER} contains ')luminar_prelude\"', which would end the raw string literal")
endif()
set(LUMINAR_PRELUDE_HEADER "${HEADER}")
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
