#!/usr/bin/env bash
# Bare-metal benchmarks: Luminar's translated `parallel for` against GCC's libgomp and a
# naive std::thread-per-construct version, on the same loops (bench/bare_metal).
#
# Builds what is needed, then runs every kernel's three variants interleaved, round after
# round (the order of the variants rotates each round, so drift of a shared machine hits
# all alike), and prints per kernel the medians over the rounds and the ratios
# luminar/omp and naive/omp, with the targets (report_bare_metal.py). The raw lines go to
# a log file under the build directory too.
#
# Usage: bash bench/run_bare_metal.sh [--rounds R] [--threads T] [--n N] [--build-dir DIR]
#                                     [--kernels "parallel_for reduction sum saxpy"] [--busy B]
# Defaults: 7 rounds, 2 threads, n = 2^26, build dir build-bench, no busy neighbours.
# --busy B runs B CPU-bound shell loops beside the benchmark (a shared machine, on purpose).
# 1 to 3 minutes on a 2-core machine, depending on its load.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=7 threads=2 n=$((1 << 26)) build_dir=$root/build-bench busy=0
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
    --busy) busy=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
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

neighbours=()
stop_neighbours() { ((${#neighbours[@]} == 0)) || kill "${neighbours[@]}" 2>/dev/null || true; }
trap stop_neighbours EXIT
for ((i = 0; i < busy; ++i)); do
  bash -c 'while :; do :; done' &
  neighbours+=($!)
done

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $command_line"
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# compiler: $(c++ --version | head -1); OMP_NUM_THREADS=$OMP_NUM_THREADS; busy neighbours: $busy"
} | tee "$log"

for ((round = 0; round < rounds; ++round)); do
  echo "round $((round + 1)) load average: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
  for kernel in $kernels; do
    for ((v = 0; v < ${#variants[@]}; ++v)); do
      variant=${variants[(v + round) % ${#variants[@]}]}
      # shellcheck disable=SC2046  # the arguments are meant to split
      echo "round $((round + 1)) $variant $("$bin/bench_bare_metal_$variant" $(args_for "$kernel"))" >>"$log"
    done
  done
  echo "round $((round + 1))/$rounds done (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
done

# --- Report -----------------------------------------------------------------------------
{
  echo
  python3 "$root/bench/report_bare_metal.py" "$log"
  echo
  echo "variants interleaved, order rotated every round; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "per-run lines: $log"
  echo "one run by hand: OMP_NUM_THREADS=$threads $bin/bench_bare_metal_<luminar|omp|naive> $(args_for sum)"
} | tee -a "$log"
