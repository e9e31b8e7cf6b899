#!/usr/bin/env bash
# Installs the Debian packages Luminar builds and tests with. Idempotent: when every
# package is already present it only runs dpkg-query and returns.
set -euo pipefail

packages=(
  cmake g++ clang-14 libclang-14-dev llvm-14-dev libclang-rt-14-dev
  nlohmann-json3-dev libspdlog-dev doctest-dev python3 python3-jsonschema pkg-config
  libboost-context1.74-dev liburing-dev libnuma-dev
)
if [[ "${LUMINAR_BENCH_DEPS:-0}" == 1 ]]; then
  packages+=(libomp-14-dev libtbb-dev libbenchmark-dev golang-go hyperfine)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
