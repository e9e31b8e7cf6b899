#!/usr/bin/env bash
# Runtime benchmarks: Luminar's runtime-assisted API (channels, select, task_group spawns,
# parked tasks, idle CPU) on a runtime plugin, against Go, oneTBB, GCC's libgomp and LLVM's
# libomp (bench/runtime, bench/README.md).
#
# Builds what is needed (without the luminar tool), then runs every kernel's peers one
# after the other, round after round (the order rotates each round, so drift of a shared
# machine hits all alike), and prints the medians over the rounds and the ratios
# Luminar/peer with the targets of the `steal` plugin (report_runtime.py). The raw lines go
# to a log file under the build directory too.
#
# Usage: bash bench/run_runtime.sh [--rounds R] [--threads T] [--runtime default|steal|both]
#                                  [--build-dir DIR] [--kernels "chan_1p1c chan_4p4c …"] [--park N]
# Defaults: 5 rounds, 2 threads, --runtime both (steal only if its plugin builds), build dir
# build-bench-runtime, every kernel: chan_1p1c chan_4p4c pingpong select2 fib spawn park idle.
# --park N: tasks parked at once by `park` (default 1000000; `default` parks 1000 whatever
# N is). A million parked tasks hold gigabytes (Go ≈ 2.7 GB): lower it on a small machine.
# A round takes about 40 s with `default` alone on a 2-core machine (5 rounds: 3 to 4 minutes).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=5 threads=2 runtime=both build_dir=$root/build-bench-runtime
kernels="chan_1p1c chan_4p4c pingpong select2 fib spawn park idle" park=1000000
command_line="bash bench/run_runtime.sh${*:+ $*}"

while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift 2 ;;
    --kernels) kernels=$2; shift 2 ;;
    --park) park=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run_runtime.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $runtime in
  default) plugins=(default) ;;
  steal) plugins=(steal) ;;
  both) plugins=(default steal) ;;
  *) echo "run_runtime.sh: --runtime is default, steal or both, not '$runtime'" >&2; exit 2 ;;
esac

# --- Build ------------------------------------------------------------------------------
LUMINAR_BENCH_DEPS=1 bash "$root/scripts/setup.sh"
cmake -S "$root" -B "$build_dir" -DLUMINAR_BUILD_BENCH=ON -DLUMINAR_BUILD_TOOL=OFF -DLUMINAR_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target bench_runtime >/dev/null
bin=$build_dir/bench/runtime/bin
plugin_dir=$build_dir/plugins

# A plugin other than `default` is built here, on its own: if it does not build (yet), the
# benchmarks still run on the others.
available=()
for plugin in "${plugins[@]}"; do
  if [[ $plugin != default ]] &&
     ! cmake --build "$build_dir" -j"$(nproc)" --target "luminar_$plugin" >"$build_dir/build-$plugin.log" 2>&1; then
    echo "run_runtime.sh: target luminar_$plugin did not build (not in the build yet, or failed: $build_dir/build-$plugin.log)" >&2
  fi
  if [[ -f $plugin_dir/libluminar_$plugin.so ]]; then
    available+=("$plugin")
  else
    echo "run_runtime.sh: no $plugin_dir/libluminar_$plugin.so; '$plugin' left out" >&2
  fi
done
((${#available[@]})) || { echo "run_runtime.sh: no plugin to measure" >&2; exit 1; }

# --- Run --------------------------------------------------------------------------------
export LUMINAR_PLUGIN_PATH=$plugin_dir LUMINAR_THREADS=$threads GOMAXPROCS=$threads OMP_NUM_THREADS=$threads
log_dir=$build_dir/bench_results
mkdir -p "$log_dir"
log=$log_dir/runtime-$(date +%Y%m%d-%H%M%S).log

peers_for() {  # kernel -> its peers
  local luminar=("${available[@]/#/luminar-}")
  case $1 in
    fib) echo "${luminar[*]} tbb gomp libomp" ;;
    *) echo "${luminar[*]} go" ;;
  esac
}

# The sizes of the issue, except where the OS-thread `default` plugin cannot do them in a
# few seconds: a parked task is a parked OS thread there, fib's every waiting parent holds
# one, and spawn + join grows faster than linearly with the group's size.
size_for() {  # peer kernel -> --n
  case $1:$2 in
    luminar-default:pingpong) echo 20000 ;;
    luminar-default:fib) echo 18 ;;
    luminar-default:spawn) echo 50000 ;;
    luminar-default:park) echo 1000 ;;
    *:park) echo "$park" ;;
    *:chan_1p1c|*:chan_4p4c|*:select2|*:spawn) echo 1000000 ;;
    *:pingpong) echo 100000 ;;
    *:fib) echo 30 ;;
    *:idle) echo 2 ;;
  esac
}

# Timed repetitions per run (after one warm-up): fewer for spawn, whose million tasks took
# up to 3 µs each with `default` (and Go's up to 2 µs on a loaded machine), so that a run
# stays within a few seconds.
reps_for() {  # kernel -> --reps
  case $1 in
    spawn) echo 3 ;;
    *) echo 5 ;;
  esac
}

run_one() {  # peer kernel -> its result line (or FAILED), with the environment of the peer
  local peer=$1 kernel=$2 program env=() out rc=0
  case $peer in
    luminar-*) program=$bin/bench_runtime_luminar env=(LUMINAR_RUNTIME="${peer#luminar-}") ;;
    *) program=$bin/bench_runtime_$peer ;;
  esac
  # A hang or crash of one run is recorded, not fatal: the rest still runs.
  out=$(env "${env[@]}" timeout 120 "$program" "$kernel" --n "$(size_for "$peer" "$kernel")" \
        --reps "$(reps_for "$kernel")" --threads "$threads" 2>"$log_dir/last-stderr") || rc=$?
  if ((rc == 0)); then
    echo "$out"
  else
    echo "$kernel FAILED rc=$rc $(head -c 300 "$log_dir/last-stderr" | tr '\n' ' ')"
  fi
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $command_line"
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $(c++ --version | head -1); $(go version); plugins: ${available[*]}; threads: $threads"
  # The plugins measured are those of the working tree, which may be ahead of the commit.
  if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    echo "# tree: $(git -C "$root" rev-parse --short HEAD), uncommitted files under hooks/ default_runtime/ plugins/: $(git -C "$root" status --porcelain -- hooks default_runtime plugins | wc -l)"
  else
    echo "# tree: $root is not a git checkout"
  fi
} | tee "$log"

for ((round = 0; round < rounds; ++round)); do
  for kernel in $kernels; do
    read -r -a peers <<<"$(peers_for "$kernel")"
    for ((p = 0; p < ${#peers[@]}; ++p)); do
      peer=${peers[(p + round) % ${#peers[@]}]}
      echo "round $((round + 1)) $peer $(run_one "$peer" "$kernel")" >>"$log"
    done
  done
  echo "round $((round + 1))/$rounds done (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
done

# --- Report -----------------------------------------------------------------------------
{
  echo
  python3 "$root/bench/report_runtime.py" "$log"
  echo
  echo "peers interleaved, order rotated every round; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "per-run lines: $log"
  echo "one run by hand: LUMINAR_RUNTIME=${available[0]} LUMINAR_PLUGIN_PATH=$plugin_dir LUMINAR_THREADS=$threads $bin/bench_runtime_luminar chan_1p1c"
} | tee -a "$log"
