#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, then runs every
# unit and end-to-end test in the release build and the unit tests again under
# AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release
ctest --test-dir build --output-on-failure -j 2

if [ "${WHARF_SKIP_ASAN:-0}" != 1 ]; then
  bash scripts/build.sh asan unit_tests
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j 2 -L unit
fi
