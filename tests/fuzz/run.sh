#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, with AddressSanitizer and UBSan) into build-fuzz/ and runs each
# over its corpus in tests/fuzz/corpus/<target>/ (seeds kept in the repository; what a run finds new
# goes to build-fuzz/new/<target>/, never into the repository: `--merge` folds it in).
#
#   bash tests/fuzz/run.sh [SECONDS]   each target for SECONDS (default 60)
#   bash tests/fuzz/run.sh --smoke     each target for 10 s (the test suite's run)
#   bash tests/fuzz/run.sh --merge     folds build-fuzz/new/* into the corpus (minimised)
#
# A crash, leak, sanitizer report or timeout fails the run; the reproducer is in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=run
seconds=60
case "${1:-}" in
  --smoke) seconds=10 ;;
  --merge) mode=merge ;;
  "") ;;
  *) seconds=$1 ;;
esac

CXX=${CXX_FUZZ:-clang++}
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz: $CXX is not installed (bash scripts/setup.sh installs clang)" >&2
  exit 1
fi
out=build-fuzz
mkdir -p "$out/new"
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -Ibuild/generated)

# target: its sources beside the fuzz entry point, and libraries.
declare -A sources libs
sources[http_parser]="router/proxy/http_parser.cpp common/status.cpp"
sources[manifest]="cli/manifest/manifest.cpp cli/manifest/manifest_model.cpp cli/manifest/manifest_sections.cpp
  cli/manifest/vars.cpp cli/manifest/yaml_reader.cpp common/status.cpp common/facts/byte_size.cpp common/file_io.cpp
  common/facts/names.cpp common/facts/health_check_type.cpp"
libs[manifest]="-lyaml-cpp"
sources[archive]="common/archive/archive.cpp common/archive/archive_extract.cpp common/archive/archive_tar_writer.cpp common/status.cpp
  common/file_io.cpp"
libs[archive]="-larchive"
sources[api_json]="controller/http/json_fields.cpp api-model/platform/security_group.cpp api-model/json_fields.cpp
  common/status.cpp"
targets=(http_parser manifest archive api_json)

build() {
  local t=$1 bin=$out/fuzz_$1
  local srcs=(tests/fuzz/fuzz_$t.cpp ${sources[$t]})
  local stale=0
  [ -x "$bin" ] || stale=1
  for s in "${srcs[@]}"; do
    [ "$s" -nt "$bin" ] && stale=1
  done
  [ "$stale" = 1 ] || return 0
  echo "fuzz: building $bin"
  # shellcheck disable=SC2086
  "$CXX" "${flags[@]}" "${srcs[@]}" -o "$bin" ${libs[$t]:-}
}

pids=()
for t in "${targets[@]}"; do build "$t" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done

status=0
for t in "${targets[@]}"; do
  corpus=tests/fuzz/corpus/$t
  mkdir -p "$out/new/$t"
  if [ "$mode" = merge ]; then
    "$out/fuzz_$t" -merge=1 "$corpus" "$out/new/$t" >/dev/null 2>&1
    echo "fuzz: $t corpus now $(ls "$corpus" | wc -l) inputs"
    continue
  fi
  echo "fuzz: $t for ${seconds}s over $(ls "$corpus" | wc -l) seeds"
  if ! (cd "$out" && "./fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 "new/$t" "../$corpus" > "fuzz_$t.log" 2>&1); then
    echo "fuzz: $t FAILED (log: $out/fuzz_$t.log; reproducer: $out/crash-*, $out/leak-*, $out/timeout-*)" >&2
    tail -40 "$out/fuzz_$t.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$out/fuzz_$t.log" | tail -2 | sed "s/^/fuzz: $t: /"
  fi
done
exit $status
