#!/usr/bin/env bash
# Runs meta-proxy's libFuzzer targets (the Fuzz/ package) against the hostile-input parsers:
#   request  THFT request frames (RequestFrameDecoder, RequestFrame.read, decodeArgs, relay re-encoding)
#   reply    MetaServer replies (ResponseFrameDecoder, decodeResult, peekForward/peekError, ThriftReader.skip)
#   route    ZooKeeper route JSON (RouteDocument.decode) and routes-file YAML (RouteFile.parse)
#   rdsn     RDSN native frames (RdsnFrameDecoder, RdsnFrame.read, THFT translation)
#   admin    admin HTTP requests (AdminServer.configure pipeline: limits, HTTP/1 parsing, routing; AdminRequestTarget)
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]      default 60, or $FUZZ_SECONDS (long run: FUZZ_SECONDS=3600)
# Environment:
#   FUZZ_SECONDS     seconds per target when no argument is given
#   FUZZ_TARGETS     targets to run, space separated (default: all five)
#   FUZZ_CORPUS_DIR  keep the corpora here across runs (default: a temporary directory, seeded afresh)
#   FUZZ_FLAGS       extra libFuzzer flags, e.g. "-use_value_profile=1 -jobs=2"
#   FUZZ_TESTDATA    the golden frames (default: Tests/Fixtures/pegasus-rpc)
#   FUZZ_CONFIG      debug or release build of the fuzz package. Default: debug for runs under 300 s per
#                    target (builds in about a minute), release for longer ones (about 3 minutes to
#                    build, then some 20 times more executions per second; bounds and overflow checks stay on)
#
# Builds the fuzz package once (-sanitize=fuzzer,address), seeds each corpus from the golden
# frames (Fuzz/make_seeds.py), runs each target for the given time, and prints per target the
# executions and whether it crashed, with the reproducer path. Exits 1 if any target crashed.
# Reproduce a crash: FUZZ_TARGET=<target> Fuzz/.build/<config>/PegasusFuzz <reproducer file>
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\n== %s\n' "$*"; }
fatal() { printf 'fuzz.sh: %s\n' "$*" >&2; exit 2; }

seconds=${1:-${FUZZ_SECONDS:-60}}
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || fatal "seconds per target must be a positive integer, got '$seconds'"
targets=${FUZZ_TARGETS:-request reply route rdsn admin}
if [ "$seconds" -lt 300 ]; then config=${FUZZ_CONFIG:-debug}; else config=${FUZZ_CONFIG:-release}; fi
case "$config" in debug | release) ;; *) fatal "FUZZ_CONFIG must be debug or release, got '$config'" ;; esac
testdata=${FUZZ_TESTDATA:-Tests/Fixtures/pegasus-rpc}
[ -d "$testdata" ] || fatal "golden frames not found at $testdata (set FUZZ_TESTDATA)"

work=$(mktemp -d /tmp/meta-proxy-fuzz.XXXXXX)
corpora=${FUZZ_CORPUS_DIR:-$work/corpus}

log "building the fuzz package ($config, -sanitize=fuzzer,address)"
set +e
swift build --package-path Fuzz -c "$config" -Xswiftc -sanitize=fuzzer,address >"$work/build.log" 2>&1
rc=$?
set -e
# ld.gold warns once per ASan helper symbol; those lines say nothing about our code.
grep -vE '^\[[0-9]+/[0-9]+\]|Cannot export local symbol' "$work/build.log" || true
[ $rc -eq 0 ] || fatal "fuzz build failed (exit $rc); log: $work/build.log"
fuzzer=$(swift build --package-path Fuzz -c "$config" --show-bin-path)/PegasusFuzz
[ -x "$fuzzer" ] || fatal "fuzz build produced no $fuzzer"

python3 Fuzz/make_seeds.py "$testdata" "$work/seeds" >/dev/null

crashed=0
summary=()
for target in $targets; do
  case "$target" in request | reply | route | rdsn | admin) ;; *) fatal "unknown target '$target'" ;; esac
  mkdir -p "$corpora/$target" "$work/artifacts"
  cp -n "$work/seeds/$target"/* "$corpora/$target/" 2>/dev/null || true
  log "fuzzing $target for ${seconds}s"
  set +e
  # detect_leaks=0: the Swift runtime's lazily built metadata and caches are never freed and would
  # be reported as leaks; memory growth is bounded by -rss_limit_mb instead.
  FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0 \
    "$fuzzer" "$corpora/$target" \
    -max_len=65536 -rss_limit_mb=2048 -timeout=30 -max_total_time="$seconds" \
    -dict="$work/seeds/$target.dict" -artifact_prefix="$work/artifacts/$target-" \
    -print_final_stats=1 -print_pcs=0 ${FUZZ_FLAGS:-} >"$work/$target.log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log" | tail -1)
  corpus_size=$(find "$corpora/$target" -type f | wc -l)
  reproducer=$(find "$work/artifacts" -name "$target-*" -type f | head -1)
  if [ $rc -ne 0 ] || [ -n "$reproducer" ]; then
    crashed=1
    tail -40 "$work/$target.log"
    summary+=("$(printf '%-8s executions %-10s corpus %-5s CRASH (exit %d) reproducer: %s; log: %s' \
      "$target" "${execs:-?}" "$corpus_size" "$rc" "${reproducer:-none}" "$work/$target.log")")
  else
    summary+=("$(printf '%-8s executions %-10s corpus %-5s no crash' "$target" "${execs:-?}" "$corpus_size")")
  fi
done

log "fuzz summary (${seconds}s per target, $config build)"
printf '%s\n' "${summary[@]}"
if [ $crashed -ne 0 ]; then
  echo "crash reproducers and logs kept in $work"
  echo "reproduce: FUZZ_TARGET=<target> $fuzzer <reproducer>"
  exit 1
fi
rm -rf "$work"
