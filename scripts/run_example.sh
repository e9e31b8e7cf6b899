#!/usr/bin/env bash
# The main job: build and install Luminar, then build and run the example project against
# the installed package exactly as a user's project would, and show what the analyzer
# decided for each block.
#
#   scripts/run_example.sh
#
# Steps: scripts/setup.sh (packages) -> configure/build <build> -> install into
# <build>/install -> configure/build examples/ in <build>/examples-build with
# find_package(Luminar) -> run bare_metal_stats (prints OK, fails on MISMATCH) and the
# runtime-assisted examples (each checks its result) -> validate every program's metadata
# against the installed schema -> print the metadata summaries.
#
# <build> is the repository's usual build directory, ./build (override with
# LUMINAR_BUILD_DIR), so a developer's build is reused rather than duplicated. Every step
# is incremental: a second run only checks that everything is up to date. An existing
# build directory is never reconfigured with different options.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LUMINAR_BUILD_DIR:-$root/build/example}
prefix=$build/install
examples_build=$build/examples-build
jobs=$(nproc 2>/dev/null || echo 4)

step() { printf '\n==> %s\n' "$*"; }

step "packages"
"$root/scripts/setup.sh"

# Configure only a build directory that has never been configured: `cmake --build`
# re-runs the configuration by itself when a CMakeLists.txt changes, and not passing
# options keeps whatever a developer chose for ./build.
step "building Luminar in $build"
if [[ ! -f $build/CMakeCache.txt ]]; then
  # The tool and headers only: the test suite is scripts/test.sh's business.
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLUMINAR_BUILD_TESTS=OFF
fi
cmake --build "$build" --parallel "$jobs"

# --prefix at install time instead of CMAKE_INSTALL_PREFIX in the cache: the package is
# relocatable, and the developer's cache stays untouched.
step "installing into $prefix"
cmake --install "$build" --prefix "$prefix" | grep -v -- '-- Up-to-date:' || true

step "building examples/ against the installed package"
if [[ ! -f $examples_build/CMakeCache.txt ]]; then
  cmake -S "$root/examples" -B "$examples_build" -DCMAKE_PREFIX_PATH="$prefix"
fi
cmake --build "$examples_build" --parallel "$jobs"

programs=(bare_metal_stats worker_pool prime_sieve select_fan_in recursive_fib block_timeout error_collection)
for program in "${programs[@]}"; do
  step "running $program"
  "$examples_build/$program"
done

for program in "${programs[@]}"; do
  metadata=$examples_build/$program.metadata.json
  step "metadata of $program ($metadata)"
  python3 "$root/scripts/validate_metadata.py" "$prefix/share/luminar/metadata.schema.json" "$metadata"
  python3 "$root/scripts/metadata_summary.py" "$metadata"
done
