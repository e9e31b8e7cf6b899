#!/usr/bin/env bash
# Builds the clause-parser fuzz target with clang's libFuzzer (plus ASan and UBSan) and
# runs it for a bounded time. Usage: run_fuzz.sh <source-root> <work-dir> [seconds]
set -euo pipefail
root=$1 work=$2 seconds=${3:-20}
mkdir -p "$work/corpus"
cp -n "$root"/tests/fuzz/corpus/* "$work/corpus/" 2>/dev/null || true
clangxx=$(command -v clang++-14 || command -v clang++)
"$clangxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I "$root/analyzer/model/include" -I "$root/analyzer/pragma/include" \
  "$root/tests/fuzz/clause_parser_fuzz.cpp" "$root/analyzer/pragma/ClauseParser.cpp" \
  "$root/analyzer/pragma/PragmaLexer.cpp" "$root/analyzer/model/Spelling.cpp" -o "$work/clause_parser_fuzz"
"$work/clause_parser_fuzz" -max_total_time="$seconds" -max_len=256 -dict="$root/tests/fuzz/pragma.dict" \
  -print_final_stats=1 "$work/corpus" 2>&1 | tail -n 15
