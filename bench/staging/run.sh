#!/usr/bin/env bash
# Staging benchmark: builds stager_bench (outside ctest) and runs it.
#   bench/staging/run.sh [--runs N] [--only static-site,nodejs]
# Build folder: $WHARF_BENCH_BUILD or build-bench (release flags).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${WHARF_BENCH_BUILD:-build-bench}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
fi
ninja -C "$build" -j 2 stager_bench wharf-monitor wharf-init > /dev/null
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/stager/stager_bench" "$@"
