#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything, and runs every
# test — unit tests, golden fixtures, the fuzz target for a bounded time, and the runtime
# tests once plain, once under ThreadSanitizer and once under AddressSanitizer (+LSan/UBSan).
# Ends with one line "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${LUMINAR_JOBS:-$(nproc)}
bash "$root/scripts/setup.sh" || exit 1

passed=0 failed=0
# run_suite <build-dir> <cmake options...>: configure, build, ctest; adds to the totals.
run_suite() {
  local dir=$1; shift
  echo "=== $(basename "$dir"): $*"
  if ! cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"; failed=$((failed + 1)); return
  fi
  if ! cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1; then
    grep -E "error|Error" -A5 "$dir.build.log" | head -60; failed=$((failed + 1)); return
  fi
  local log="$dir.ctest.log"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$log"
  local total fails
  total=$(sed -nE 's/.*tests failed out of ([0-9]+).*/\1/p' "$log" | tail -1)
  fails=$(sed -nE 's/.*[0-9]+% tests passed, ([0-9]+) tests failed.*/\1/p' "$log" | tail -1)
  if [[ -z "$total" ]]; then failed=$((failed + 1)); return; fi
  passed=$((passed + total - fails)); failed=$((failed + fails))
}

mkdir -p "$root/build"
run_suite "$root/build/main"
run_suite "$root/build/tsan" -DLUMINAR_BUILD_TOOL=OFF -DLUMINAR_SANITIZER=thread
run_suite "$root/build/asan" -DLUMINAR_BUILD_TOOL=OFF -DLUMINAR_SANITIZER=address

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
