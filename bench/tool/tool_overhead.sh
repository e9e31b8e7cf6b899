#!/usr/bin/env bash
# Times `luminar` translating a heavy translation unit against `clang++ -fsyntax-only` on the
# same file, interleaved (A B A B …) so machine drift hits both alike; prints the medians and
# their ratio. Usage: tool_overhead.sh <luminar> [runs]
set -euo pipefail
luminar=$1 runs=${2:-15}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/heavy_tu.cpp out=$(mktemp --suffix=.cpp)
clangxx=$(command -v clang++-14 || command -v clang++)
now() { date +%s%N; }
tool=() syntax=()
for ((i = 0; i < runs; ++i)); do
  t0=$(now); "$luminar" "$src" -o "$out" -- -std=c++17 >/dev/null; t1=$(now)
  "$clangxx" -std=c++17 -fsyntax-only -Wno-unknown-pragmas "$src"; t2=$(now)
  tool+=($(( (t1 - t0) / 1000000 ))) syntax+=($(( (t2 - t1) / 1000000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mt=$(median "${tool[@]}") ms=$(median "${syntax[@]}")
echo "luminar: median ${mt} ms over $runs runs"
echo "clang++ -fsyntax-only: median ${ms} ms"
awk -v a="$mt" -v b="$ms" 'BEGIN { printf "ratio luminar / clang++ -fsyntax-only = %.3f\n", a / b }'
rm -f "$out"
