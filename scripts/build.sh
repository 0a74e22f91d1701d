#!/usr/bin/env bash
# Configures and builds Wharf with Ninja.
#   scripts/build.sh          release build in build/
#   scripts/build.sh asan     AddressSanitizer + UBSan build in build-asan/
#   a further argument names the target to build (default: all), e.g. unit_tests
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-release}
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DWHARF_SANITIZE=ON) ;;
  *) echo "usage: scripts/build.sh [release|asan]" >&2; exit 2 ;;
esac

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}"
fi
target=${2:-all}
cmake --build "$dir" -j "$(nproc)" --target "$target"
