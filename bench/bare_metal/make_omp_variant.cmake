# Writes the omp variant of the benchmark loops: luminar_variant.cpp with every
# `#pragma luminar ` turned into `#pragma omp `, nothing else changed.
# Usage: cmake -DINPUT=<luminar_variant.cpp> -DOUTPUT=<omp_variant.cpp> -P make_omp_variant.cmake
file(READ "${INPUT}" text)
string(REPLACE "#pragma luminar " "#pragma omp " text "${text}")
string(FIND "${text}" "luminar parallel" leftover)
if(NOT leftover EQUAL -1)
  message(FATAL_ERROR "${INPUT}: a Luminar pragma not written as `#pragma luminar …` would stay untranslated")
endif()
file(WRITE "${OUTPUT}" "${text}")
