#!/usr/bin/env bash
# Installs this build tree into a scratch prefix, then configures, builds and runs the
# examples/ project against it: find_package(Luminar), luminar_translate, pkg-config.
# Usage: check_package.sh <source-root> <build-dir> <work-dir>
set -euo pipefail
root=$1 build=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$root/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/examples" -j2 >/dev/null
"$work/examples/bare_metal_stats"
python3 "$root/scripts/validate_metadata.py" "$work/prefix/share/luminar/metadata.schema.json" \
  "$work/examples/bare_metal_stats.metadata.json"
# pkg-config alone must be enough to build a bare-metal translation.
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/share/pkgconfig" pkg-config --cflags luminar
