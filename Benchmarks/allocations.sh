#!/usr/bin/env bash
# Heap allocations per relayed query of meta-proxy, in steady state, for each client frame format
# (THFT v0, THFT v1, RDSN). Loopback only, about a minute after the builds.
#
#   Benchmarks/allocations.sh                  # results in Benchmarks/results/<UTC timestamp>/allocations.md
#   SKIP_BUILD=1 Benchmarks/allocations.sh     # use the release binaries already built
#   HEAPTRACK=1 Benchmarks/allocations.sh      # also cross-check the counts with heaptrack (THFT v1)
#   BIN=/path/to/release OUT=/some/dir FRAMES="thft-v1 rdsn" REQUESTS=200000 Benchmarks/allocations.sh
#
# Method. meta-proxy runs with Benchmarks/malloc-count/malloccount.c preloaded (LD_PRELOAD), which
# counts every malloc, calloc, realloc, posix_memalign / aligned_alloc / memalign / valloc and free of
# the process, and the bytes asked for, and writes the counters to a file on request. meta-proxy reads
# routes from a file with `meta.coalesce: false` and `meta.coalesce_window: 0`, so every query goes
# upstream (checked: the sim's query_config count must grow by exactly the number of replies), on
# one event loop (`--threads 1`, when the binary has the option). For each frame format, with
# pegasus-load (C connections x depth D, fresh connections each run):
#   warm-up: W requests;            snapshot s0
#   run 1:   N/2 requests;          snapshot s1
#   run 2:   N requests;            snapshot s2
# Allocations per request = ((s2 - s1) - (s1 - s0)) / (N - N/2): the difference of two runs that
# differ only in their number of requests, so the per-run costs (accepting and closing C connections,
# their handlers and buffers) cancel out. That per-run cost is reported too, and so is the plain
# (s2 - s1) / N. Background work of the proxy that runs on timers (metrics, route refresh) is
# counted in both runs in proportion to their length; it is small against the relay path (see the
# idle row: allocations per second with no load).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$HERE/results/$STAMP}
BIN=${BIN:-$ROOT/.build/release}
LOAD=${LOAD:-$HERE/.build/release/pegasus-load}
FRAMES=${FRAMES:-thft-v0 thft-v1 rdsn}
CONNECTIONS=${CONNECTIONS:-16}
DEPTH=${DEPTH:-8}
WARMUP_REQUESTS=${WARMUP_REQUESTS:-20000}
REQUESTS=${REQUESTS:-100000}
HALF=$((REQUESTS / 2))
TABLE_COUNT=${TABLE_COUNT:-16}
PARTITIONS=${PARTITIONS:-8}
WORK=$(mktemp -d /tmp/meta-proxy-alloc.XXXXXX)
mkdir -p "$OUT"

source "$HERE/common.sh"

# --- builds ---------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building release: meta-proxy, pegasus-sim (scripts/build-release.sh), pegasus-load (Benchmarks/)"
  "$ROOT/scripts/build-release.sh" meta-proxy pegasus-sim > "$WORK/build-root.log" 2>&1 \
    || fail "release build failed: $(grep -m5 'error:' "$WORK/build-root.log")"
  (cd "$HERE" && swift build -c release --product pegasus-load > "$WORK/build-load.log" 2>&1) \
    || fail "pegasus-load build failed: $(grep -m5 'error:' "$WORK/build-load.log")"
fi
for b in "$BIN/meta-proxy" "$BIN/pegasus-sim" "$LOAD"; do [ -x "$b" ] || fail "missing binary: $b"; done
"$LOAD" run --help 2>&1 | grep -q -- '--frame' || fail "$LOAD has no --frame option (rebuild pegasus-load)"
SHIM=$WORK/malloccount.so
cc -O2 -shared -fPIC -o "$SHIM" "$HERE/malloc-count/malloccount.c" -lpthread || fail "cannot compile the malloc shim"

# --- backend and proxy ----------------------------------------------------------------------------
TABLE_ARGS=$(python3 -c "print(','.join('t%02d:$PARTITIONS' % i for i in range($TABLE_COUNT)))")
"$BIN/pegasus-sim" --cluster bench --metas 1 --replicas 3 --tables "$TABLE_ARGS" --control-port "$(free_port)" \
  --log-level warning > "$WORK/sim.json" 2> "$WORK/sim.log" &
SIM_PID=$!; PIDS+=("$SIM_PID")
wait_line "$WORK/sim.json" 30 || fail "pegasus-sim did not start: $(cat "$WORK/sim.log")"
SIM_META=$(python3 -c "import json; print(json.loads(open('$WORK/sim.json').readline())['metas'][0])")
SIM_CONTROL=$(python3 -c "import json; print(json.loads(open('$WORK/sim.json').readline())['control'])")
LOAD_TABLES=$(python3 -c "import json; t=json.loads(open('$WORK/sim.json').readline())['tables']; print(','.join('%s:%d' % (n, t[n]['app_id']) for n in sorted(t)))")
sim_queries() { curl -fsS "http://$SIM_CONTROL/stats" | python3 -c 'import json,sys; print(sum(m["query_config"] for m in json.load(sys.stdin)["metas"]))'; }

python3 - "$WORK/routes.yaml" "$SIM_META" "$TABLE_ARGS" <<'PY'
import sys
path, meta, tables = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    f.write("tables:\n")
    for entry in tables.split(","):
        f.write("  %s: { cluster: bench, meta_addrs: [\"%s\"] }\n" % (entry.split(":")[0], meta))
PY
cat > "$WORK/proxy.yaml" <<YAML
server: { idle_timeout: 600 }
routes_file: $WORK/routes.yaml
meta: { timeout: 3000, coalesce: false, coalesce_window: 0 }
log: { level: warning }
YAML
THREAD_ARGS=()
"$BIN/meta-proxy" serve --help 2>&1 | grep -q -- '--threads' && THREAD_ARGS=(--threads 1)

start_proxy() { # name, wrapper... -> PROXY_PID, PROXY_ADDR (the wrapper runs the command: env or heaptrack)
  local name=$1; shift
  PROXY_ADDR=127.0.0.1:$(free_port)
  local admin=127.0.0.1:$(free_port)
  "$@" "$BIN/meta-proxy" serve --config "$WORK/proxy.yaml" --listen "$PROXY_ADDR" --admin-listen "$admin" \
    ${THREAD_ARGS[@]+"${THREAD_ARGS[@]}"} > "$WORK/$name.log" 2>&1 &
  PROXY_PID=$!; PIDS+=("$PROXY_PID")
  wait_http "http://$admin/readyz" 60 || fail "meta-proxy $name not ready: $(tail -20 "$WORK/$name.log")"
}

COUNTS=$WORK/counts
snapshot() { # -> "mallocs callocs reallocs aligned frees bytes"
  rm -f "$COUNTS"
  touch "$COUNTS.req"
  for _ in $(seq 1 500); do [ -e "$COUNTS.req" ] || break; sleep 0.01; done
  [ -e "$COUNTS.req" ] && fail "the malloc shim did not answer (is it loaded?)"
  sed 's/[a-z]*=//g' "$COUNTS"
}
load() { # frame, requests, json -> prints replies (fails on any error)
  "$LOAD" run --target "$PROXY_ADDR" --tables "$LOAD_TABLES" --frame "$1" --connections "$CONNECTIONS" \
    --depth "$DEPTH" --requests "$2" --label "alloc-$1" --json "$3" > "$3.out" 2>&1 || fail "pegasus-load failed: $(cat "$3.out")"
  python3 - "$3" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
replies, errors = r["counters"]["replies"], r["errors"]
if errors or replies != int(sys.argv[2]):
    sys.exit("pegasus-load: %d replies for %s requests, %d errors: %s" % (replies, sys.argv[2], errors, r["counters"]))
print(replies)
PY
}

log "meta-proxy $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), routes file, coalescing off, ${THREAD_ARGS[*]:-default threads}; $CONNECTIONS connections x depth $DEPTH; warm-up $WARMUP_REQUESTS, runs of $HALF and $REQUESTS requests"
start_proxy counted env "MALLOCCOUNT_FILE=$COUNTS" "LD_PRELOAD=$SHIM"
COUNTED_PID=$PROXY_PID

# Idle: allocations per second with no load (timers, metrics, route refresh).
idle0=$(snapshot); sleep 5; idle1=$(snapshot)
ROWS=$WORK/rows
: > "$ROWS"
echo "idle 5 $idle0 $idle1" >> "$ROWS"
for frame in $FRAMES; do
  log "frame $frame"
  load "$frame" "$WARMUP_REQUESTS" "$WORK/warm-$frame.json" > /dev/null
  q0=$(sim_queries); s0=$(snapshot)
  r1=$(load "$frame" "$HALF" "$OUT/alloc-run-$frame-1.json")
  s1=$(snapshot)
  r2=$(load "$frame" "$REQUESTS" "$OUT/alloc-run-$frame-2.json")
  s2=$(snapshot); q2=$(sim_queries)
  echo "$frame $r1 $r2 $((q2 - q0)) $s0 $s1 $s2" >> "$ROWS"
  rm -f "$OUT/alloc-run-$frame-"[12].json.out
done
stop_pid "$COUNTED_PID"

# --- optional: heaptrack on the same scenario (THFT v1), to check the shim's counts -----------------
HT=$WORK/heaptrack-rows
: > "$HT"
if [ "${HEAPTRACK:-0}" = 1 ]; then
  command -v heaptrack >/dev/null || fail "HEAPTRACK=1 but heaptrack is not installed"
  for n in "$HALF" "$REQUESTS"; do
    for tool in shim heaptrack; do
      log "check: $tool, warm-up + $n requests (thft-v1), whole process"
      rm -f "$COUNTS.exit"
      if [ "$tool" = shim ]; then
        start_proxy "check-$tool-$n" env "MALLOCCOUNT_FILE=$COUNTS" "LD_PRELOAD=$SHIM"
        target=$PROXY_PID
      else
        start_proxy "check-$tool-$n" heaptrack -o "$WORK/ht-$n"
        target=$(pgrep -P "$PROXY_PID" -f 'meta-proxy serve' | head -1 || true)
        [ -n "$target" ] || target=$(pgrep -f "meta-proxy serve --config $WORK/proxy.yaml --listen $PROXY_ADDR" | grep -v "^$PROXY_PID$" | head -1)
      fi
      load thft-v1 "$WARMUP_REQUESTS" "$WORK/ck-warm.json" > /dev/null
      load thft-v1 "$n" "$WORK/ck-$n.json" > /dev/null
      stop_pid "$target"; wait "$PROXY_PID" 2>/dev/null || true
      if [ "$tool" = shim ]; then
        for _ in $(seq 1 50); do [ -s "$COUNTS.exit" ] && break; sleep 0.1; done
        total=$(python3 -c "import sys; d=dict(kv.split('=') for kv in open(sys.argv[1]).read().split()); print(int(d['mallocs'])+int(d['callocs'])+int(d['reallocs'])+int(d['aligned']))" "$COUNTS.exit")
      else
        file=$(ls "$WORK"/ht-"$n"* 2>/dev/null | head -1 || true)
        [ -n "$file" ] || fail "heaptrack wrote no data: $(tail -5 "$WORK/check-$tool-$n.log")"
        total=$(heaptrack_print -f "$file" -p 0 -a 0 -T 0 -n 0 -s 0 -l 0 2>/dev/null | sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p')
        [ -n "$total" ] || fail "heaptrack_print gave no total"
      fi
      echo "$tool $n $total" >> "$HT"
    done
  done
fi

# --- report ---------------------------------------------------------------------------------------
python3 - "$ROWS" "$HT" "$OUT/allocations.md" "$OUT/allocations.json" <<PY
import json, sys
rows_path, ht_path, md_path, json_path = sys.argv[1:5]
names = ["mallocs", "callocs", "reallocs", "aligned", "frees", "bytes"]
def vec(xs): return dict(zip(names, map(int, xs)))
def sub(a, b): return {k: a[k] - b[k] for k in names}
def allocs(d): return d["mallocs"] + d["callocs"] + d["reallocs"] + d["aligned"]
result = {"commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
          "binary": "$BIN/meta-proxy", "version": "$("$BIN/meta-proxy" --version 2>/dev/null | head -1 || true)",
          "dirty": $( [ -n "$(git -C "$ROOT" status --porcelain -- Sources Package.swift 2>/dev/null)" ] && echo True || echo False ),
          "connections": $CONNECTIONS, "depth": $DEPTH, "warmup_requests": $WARMUP_REQUESTS,
          "threads": "${THREAD_ARGS[*]:-default}", "load_average": open("/proc/loadavg").read().split()[:3],
          "frames": {}, "heaptrack": {}}
lines = []
for line in open(rows_path):
    f = line.split()
    if f[0] == "idle":
        d = sub(vec(f[8:14]), vec(f[2:8]))
        result["idle_allocs_per_s"] = allocs(d) / float(f[1])
        continue
    frame, r1, r2, upstream = f[0], int(f[1]), int(f[2]), int(f[3])
    s0, s1, s2 = vec(f[4:10]), vec(f[10:16]), vec(f[16:22])
    d1, d2 = sub(s1, s0), sub(s2, s1)
    slope = {k: (d2[k] - d1[k]) / (r2 - r1) for k in names}
    per_run = {k: d1[k] - slope[k] * r1 for k in names}
    result["frames"][frame] = {
        "requests": [r1, r2], "upstream_queries": upstream,
        "allocs_per_request": allocs(slope), "bytes_per_request": slope["bytes"], "frees_per_request": slope["frees"],
        "by_call_per_request": {k: slope[k] for k in names[:4]},
        "plain_allocs_per_request": allocs(d2) / r2, "per_run_allocs": allocs(per_run),
        "per_run_allocs_per_connection": allocs(per_run) / $CONNECTIONS,
    }
hts = {}
for line in open(ht_path):
    tool, n, total = line.split()
    hts.setdefault(tool, {})[int(n)] = int(total)
if len(hts) == 2:
    for tool, t in hts.items():
        (n1, a), (n2, b) = sorted(t.items())
        result["heaptrack"][tool] = {"totals": t, "allocs_per_request": (b - a) / (n2 - n1)}
json.dump(result, open(json_path, "w"), indent=1, sort_keys=True)

out = []
out.append("# meta-proxy heap allocations per relayed query (Benchmarks/allocations.sh)\n")
out.append("binary %s (%s); checkout at commit %s%s; meta-proxy %s, routes file, coalescing off; pegasus-load %d connections x depth %d; load average %s\n"
           % (result["binary"], result["version"] or "no --version", result["commit"], " (+ uncommitted changes)" if result["dirty"] else "", result["threads"],
              $CONNECTIONS, $DEPTH, " ".join(result["load_average"])))
out.append("| frame | requests (runs) | upstream queries | allocations / request | bytes / request | frees / request | malloc / calloc / realloc / aligned | plain delta / N | per-run cost (allocs per connection) |")
out.append("|---|---:|---:|---:|---:|---:|---|---:|---:|")
for frame, r in result["frames"].items():
    b = r["by_call_per_request"]
    out.append("| %s | %d + %d | %d | **%.2f** | %.0f | %.2f | %.2f / %.2f / %.2f / %.2f | %.2f | %.0f |" % (
        frame, r["requests"][0], r["requests"][1], r["upstream_queries"], round(r["allocs_per_request"], 2) + 0.0,
        r["bytes_per_request"], round(r["frees_per_request"], 2) + 0.0, *(round(b[k], 2) + 0.0 for k in ("mallocs", "callocs", "reallocs", "aligned")),
        r["plain_allocs_per_request"], r["per_run_allocs_per_connection"]))
out.append("")
out.append("Idle (no load): %.1f allocations per second." % result.get("idle_allocs_per_s", 0))
if result["heaptrack"]:
    h, s = result["heaptrack"]["heaptrack"], result["heaptrack"]["shim"]
    out.append("Cross-check (thft-v1, whole process, warm-up + N requests, two N): heaptrack %.2f allocations per request "
               "(totals %s), shim %.2f (totals %s)." % (h["allocs_per_request"], h["totals"], s["allocs_per_request"], s["totals"]))
text = "\n".join(out) + "\n"
open(md_path, "w").write(text)
print(text)
for frame, r in result["frames"].items():
    if r["upstream_queries"] != sum(r["requests"]):
        print("WARNING: %s: %d upstream queries for %d requests (coalescing not off?)" % (frame, r["upstream_queries"], sum(r["requests"])))
PY
log "results in $OUT/allocations.md"
