#!/usr/bin/env bash
# Bare-metal benchmarks: Luminar's translated `parallel for` against GCC's libgomp and a
# naive std::thread-per-construct version, on the same loops (bench/bare_metal).
#
# Builds what is needed, then runs every kernel's three variants interleaved, round after
# round (the order of the variants rotates each round, so drift of a shared machine hits
# all alike), and prints per kernel the medians over the rounds and the ratios
# luminar/omp and naive/omp, with the targets. The raw lines go to a log file too.
#
# Usage: bash bench/run_bare_metal.sh [--rounds R] [--threads T] [--n N] [--build-dir DIR]
#                                     [--kernels "parallel_for reduction sum saxpy"]
# Defaults: 7 rounds, 2 threads, n = 2^26, build dir build-bench. About 2 minutes on a
# 2-core machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=7 threads=2 n=$((1 << 26)) build_dir=$root/build-bench
kernels="parallel_for reduction sum saxpy"
variants=(luminar omp naive)
command_line="bash bench/run_bare_metal.sh${*:+ $*}"

while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --n) n=$2; shift 2 ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift 2 ;;
    --kernels) kernels=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run_bare_metal.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# --- Build ------------------------------------------------------------------------------
LUMINAR_BENCH_DEPS=1 bash "$root/scripts/setup.sh"
cmake -S "$root" -B "$build_dir" -DLUMINAR_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target bench_bare_metal >/dev/null
bin=$build_dir/bench

# --- Run --------------------------------------------------------------------------------
# OMP_NUM_THREADS matches num_threads(T) in the loops; every other OpenMP setting keeps
# libgomp's default (wait policy, spin count, no binding), as a user would get it.
export OMP_NUM_THREADS=$threads
log_dir=$build_dir/bench_results
mkdir -p "$log_dir"
log=$log_dir/bare_metal-$(date +%Y%m%d-%H%M%S).log

args_for() {  # kernel -> the driver's arguments
  case $1 in
    parallel_for|reduction) echo "$1 --threads $threads" ;;
    sum|saxpy) echo "$1 --threads $threads --n $n" ;;
    *) echo "run_bare_metal.sh: unknown kernel '$1'" >&2; exit 2 ;;
  esac
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $command_line"
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# compiler: $(c++ --version | head -1); OMP_NUM_THREADS=$OMP_NUM_THREADS"
} | tee "$log"

declare -A medians bests  # "<kernel> <variant>" -> one value per round, space-separated
for ((round = 0; round < rounds; ++round)); do
  echo "round $((round + 1)) load average: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
  for kernel in $kernels; do
    for ((v = 0; v < ${#variants[@]}; ++v)); do
      variant=${variants[(v + round) % ${#variants[@]}]}
      # shellcheck disable=SC2046  # the arguments are meant to split
      line=$("$bin/bench_bare_metal_$variant" $(args_for "$kernel"))
      echo "round $((round + 1)) $variant $line" >>"$log"
      read -r _ median best _ <<<"$line"
      medians["$kernel $variant"]+="$median " bests["$kernel $variant"]+="$best "
    done
  done
  echo "round $((round + 1))/$rounds done (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
done

# --- Report -----------------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Median over the rounds of the ratio luminar/omp taken round by round (the two ran back to
# back, so drift of the machine cancels).
paired_ratio() {  # <array name> <kernel>
  local -n values=$1
  paste -d' ' <(tr ' ' '\n' <<<"${values["$2 luminar"]}" | grep -v '^$') \
              <(tr ' ' '\n' <<<"${values["$2 omp"]}" | grep -v '^$') |
    awk '{print $1 / $2}' | tr '\n' ' ' | median
}

table() {  # <array name> <title>
  local -n values=$1
  echo "$2"
  printf '%-13s %-13s %10s %10s %10s %12s %9s %10s %14s  %s\n' \
    kernel unit luminar omp naive luminar/omp "(paired)" naive/omp "target l/o" status
  for kernel in $kernels; do
    case $kernel in
      parallel_for|reduction) unit="us/construct" limit=1.00 ;;
      *) unit="ns/element" limit=1.0204 ;;  # throughput >= 0.98x libgomp's: time <= 1/0.98
    esac
    awk -v k="$kernel" -v u="$unit" -v lim="$limit" -v p="$(paired_ratio "$1" "$kernel")" \
        -v l="$(median <<<"${values["$kernel luminar"]}")" -v o="$(median <<<"${values["$kernel omp"]}")" \
        -v nv="$(median <<<"${values["$kernel naive"]}")" 'BEGIN {
      r = l / o
      printf "%-13s %-13s %10.4f %10.4f %10.4f %12.3f %9.3f %10.2f %14s  %s\n",
             k, u, l, o, nv, r, p, nv / o, "<= " lim, (r <= lim ? "met" : "MISSED")
    }'
  done
}

{
  echo
  table medians "Medians over $rounds rounds of each run's median (overhead: of 101 batches of 1 ms; loops: of 10 passes)"
  echo
  table bests "Medians over $rounds rounds of each run's best batch or pass (the cost when the machine lets the threads run)"
  echo
  echo "variants interleaved, order rotated every round; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "per-run lines: $log"
  echo "one run by hand: OMP_NUM_THREADS=$threads $bin/bench_bare_metal_<luminar|omp|naive> $(args_for sum)"
} | tee -a "$log"
