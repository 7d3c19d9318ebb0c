#!/usr/bin/env bash
# Route scale: meta-proxy over 100,000 route nodes in a real ZooKeeper, with 20,000 tables in use.
#
#   Benchmarks/route-scale.sh                  # results in Benchmarks/results/routescale/
#   SKIP_BUILD=1 Benchmarks/route-scale.sh     # use the release binaries already built
#   NODES_SCALE=0.1 Benchmarks/route-scale.sh  # a tenth of every size, for a quick try
#   PROXY_BIN=/other/build/meta-proxy ...      # serve with another build (e.g. main's, to compare)
#
# What it measures (one proxy process, loopback, everything on one machine):
#   - `meta-proxy route sync` of simulated clusters of 10,000 and 30,000 tables (the route nodes are
#     created that way: 100,000 in all under one root), and a second sync of the 10,000 (nothing to do);
#   - cold route loads: 20,000 tables queried for the first time in batches of 2,000; per batch the
#     proxy's CPU per query (from /proc schedstat) and the latency, to show that a table's first query
#     costs the same whether 0 or 18,000 tables were seen before;
#   - a cold herd: 10,000 connections each sending one first query for a distinct table at once;
#     errors (ERR_TIMEOUT and others) counted;
#   - warm throughput and latency over the 20,000 tables with the route cache large enough, and with
#     caches of 1,024 (the old default) and 10,000 (smaller than the tables in use);
#   - the proxy's RSS before and after caching the routes (RSS per cached and watched route), and
#     ZooKeeper's watch and node counts (4lw `mntr`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
SCALE=${NODES_SCALE:-1}
n() { python3 -c "print(max(1, int($1 * $SCALE)))"; }
SERVED=$(n 30000)        # tables of the served cluster (the hot set and the herd's tables)
HOT=$(n 20000)           # tables actively queried
BATCH=$(n 2000)          # cold tables per measured batch
HERD=$(n 10000)          # distinct tables of the cold herd
SYNC_SMALL=$(n 10000)    # the cluster whose sync is timed at 10,000 tables
FILL=$(n 30000)          # each of two filler clusters: SERVED + SYNC_SMALL + 2 x FILL = 100,000 nodes
CONNECTIONS=${CONNECTIONS:-16}
DEPTH=${DEPTH:-8}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
OUT=${OUT:-$HERE/results/routescale}
WORK=$(mktemp -d /tmp/meta-proxy-routescale.XXXXXX)
mkdir -p "$OUT"

source "$HERE/common.sh"

now_s() { python3 -c 'import time; print("%.3f" % time.monotonic())'; }
mntr() { # key -> value from ZooKeeper's `mntr`
  timeout 10 bash -c "exec 3<>/dev/tcp/${ZK_ADDRESS%:*}/${ZK_ADDRESS#*:} && printf mntr >&3 && cat <&3" 2>/dev/null \
    | awk -v k="$1" '$1 == k {print $2}'
}
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((HERD + 1000)) ] || fail "ulimit -n $(ulimit -n) is too low for a herd of $HERD connections"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building release: meta-proxy, pegasus-sim, pegasus-load"
  (cd "$ROOT" && swift build -c release --product meta-proxy -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib)
  (cd "$ROOT" && swift build -c release --product pegasus-sim -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib)
  (cd "$HERE" && swift build -c release --product pegasus-load)
fi
BIN=${BIN:-$ROOT/.build/release}
LOAD=${LOAD:-$HERE/.build/release/pegasus-load}
# The proxy under test (`serve`) may be another build than the one that writes the routes (`route sync`).
PROXY_BIN=${PROXY_BIN:-$BIN/meta-proxy}
for b in "$BIN/meta-proxy" "$BIN/pegasus-sim" "$LOAD" "$PROXY_BIN"; do [ -x "$b" ] || fail "missing $b"; done

log "starting ZooKeeper"
ZK_DIR=$WORK/zk
ZK_ADDRESS=$("$ROOT/scripts/zk.sh" start "$(free_port)" "$ZK_DIR")
ZK_ROOT=/routescale

start_sim() { # name, tables spec -> sets SIM_PID, SIM_META
  "$BIN/pegasus-sim" --cluster "$1" --metas 1 --replicas 3 --tables "$2" --log-level warning \
    > "$WORK/sim-$1.json" 2> "$WORK/sim-$1.log" &
  SIM_PID=$!; PIDS+=("$SIM_PID")
  wait_line "$WORK/sim-$1.json" 120 || fail "pegasus-sim $1 did not start: $(cat "$WORK/sim-$1.log")"
  SIM_META=$(python3 -c "import json; print(json.loads(open('$WORK/sim-$1.json').readline())['metas'][0])")
}
SYNC_ROWS=()
timed_sync() { # label, cluster, meta -> appends a row "label|tables|created|unchanged|seconds"
  local start end
  start=$(now_s)
  "$BIN/meta-proxy" route sync --cluster "$2" --meta "$3" --timeout 120000 --zk "$ZK_ADDRESS" --zk-root "$ZK_ROOT" \
    --zk-timeout 30 --json > "$WORK/sync.json"
  end=$(now_s)
  local counts
  counts=$(python3 - "$WORK/sync.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
items = d["items"]
acts = [i.get("action") for i in items]
print(len(acts), acts.count("create"), acts.count("unchanged"))
PY
)
  read -r total created unchanged <<< "$counts"
  SYNC_ROWS+=("$1|$total|$created|$unchanged|$(python3 -c "print('%.2f' % ($end - $start))")")
  log "sync $1: $total tables, $created created, $unchanged unchanged, $(python3 -c "print('%.2f' % ($end - $start))") s"
}

# --- route nodes: 100,000 under one root, written by `route sync` -------------------------------
log "route sync of a ${SYNC_SMALL}-table cluster (timed), twice"
start_sim small "s[0-$((SYNC_SMALL - 1))]:1"
timed_sync "sync ${SYNC_SMALL} tables (all new)" small "$SIM_META"
timed_sync "sync ${SYNC_SMALL} tables again (nothing to do)" small "$SIM_META"
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
for f in a b; do
  start_sim "fill$f" "$f[0-$((FILL - 1))]:1"
  timed_sync "sync ${FILL} tables (all new)" "fill$f" "$SIM_META"
  kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
done
log "the served cluster: $SERVED tables"
start_sim served "t[0-$((SERVED - 1))]:1"
SERVED_META=$SIM_META
timed_sync "sync ${SERVED} tables (all new)" served "$SERVED_META"
NODES=$(mntr zk_znode_count)
log "ZooKeeper nodes: $NODES"

# --- the proxy ----------------------------------------------------------------------------------
start_proxy() { # name, cache capacity -> sets PROXY_PID, PROXY_ADDR, PROXY_ADMIN
  PROXY_ADDR=127.0.0.1:$(free_port)
  PROXY_ADMIN=127.0.0.1:$(free_port)
  cat > "$WORK/$1.yaml" <<YAML
server: { max_connections: $((HERD + 2000)), idle_timeout: 600 }
zookeeper: { address: ["$ZK_ADDRESS"], root: $ZK_ROOT, timeout: 10000, table_watcher_cache_capacity: $2 }
meta: { timeout: 3000 }
log: { level: warning }
YAML
  "$PROXY_BIN" serve --config "$WORK/$1.yaml" --listen "$PROXY_ADDR" --admin-listen "$PROXY_ADMIN" > "$WORK/$1.log" 2>&1 &
  PROXY_PID=$!; PIDS+=("$PROXY_PID")
  wait_http "http://$PROXY_ADMIN/readyz" 60 || fail "meta-proxy $1 not ready: $(tail -20 "$WORK/$1.log")"
}
stop_proxy() { kill "$PROXY_PID" 2>/dev/null || true; for _ in $(seq 1 100); do kill -0 "$PROXY_PID" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$PROXY_PID" 2>/dev/null || true; }
load() { # json file, pegasus-load arguments...
  local file=$1; shift
  "$LOAD" "$@" --target "$PROXY_ADDR" --json "$file" > /dev/null
}
# app id of t<i> is i + 1 (pegasus-sim numbers tables from 1 in order)
tables() { echo "t[$1-$2]:$(($1 + 1))"; }

log "proxy with a route cache of 50,000 (the default)"
start_proxy big 50000
RSS_START=$(rss_kib "$PROXY_PID")
WATCHES_START=$(mntr zk_watch_count)

log "cold route loads: $HOT tables in batches of $BATCH, CPU per query per batch"
COLD_ROWS=()
for first in $(seq 0 "$BATCH" $((HOT - 1))); do
  last=$((first + BATCH - 1))
  before=$(cpu_ns "$PROXY_PID")
  load "$WORK/cold-$first.json" run --tables "$(tables "$first" "$last")" --connections "$CONNECTIONS" --depth "$DEPTH" \
    --table-stride $((BATCH / CONNECTIONS)) --requests "$BATCH"
  after=$(cpu_ns "$PROXY_PID")
  COLD_ROWS+=("$first|$(python3 -c "print('%.0f' % (($after - $before) / 1000 / $BATCH))")|$(json_get "$WORK/cold-$first.json" "d['latency_us']['p50']")|$(json_get "$WORK/cold-$first.json" "d['latency_us']['p99']")|$(json_get "$WORK/cold-$first.json" "d['errors']")")
done
RSS_HOT=$(rss_kib "$PROXY_PID")
WATCHES_HOT=$(mntr zk_watch_count)

log "warm: $HOT tables, $CONNECTIONS connections x depth $DEPTH, $DURATION s"
before=$(cpu_ns "$PROXY_PID")
load "$WORK/warm-50000.json" run --tables "$(tables 0 $((HOT - 1)))" --connections "$CONNECTIONS" --depth "$DEPTH" \
  --table-stride $((HOT / CONNECTIONS)) --duration "$DURATION" --warmup "$WARMUP"
after=$(cpu_ns "$PROXY_PID")
WARM_CPU=$(python3 -c "import json; d=json.load(open('$WORK/warm-50000.json')); print('%.0f' % (($after - $before) / 1000 / max(1, d['counters']['replies'])))")

log "cold herd: $HERD connections, one first query each for a distinct table"
before=$(cpu_ns "$PROXY_PID")
load "$WORK/herd.json" herd --tables "$(tables "$HOT" $((HOT + HERD - 1)))" --connections "$HERD"
after=$(cpu_ns "$PROXY_PID")
HERD_CPU=$(python3 -c "print('%.0f' % (($after - $before) / 1000 / $HERD))")
RSS_ALL=$(rss_kib "$PROXY_PID")
WATCHES_ALL=$(mntr zk_watch_count)
curl -fsS "http://$PROXY_ADMIN/metrics" > "$WORK/metrics.txt"
SERIES=$(grep -c '^client_query_config_count{' "$WORK/metrics.txt" || true)
start=$(now_s); curl -fsS -o /dev/null "http://$PROXY_ADMIN/metrics"; end=$(now_s)
SCRAPE_MS=$(python3 -c "print('%.0f' % (($end - $start) * 1000))")
stop_proxy

WARM_ROWS=()
WARM_ROWS+=("50000|$(json_get "$WORK/warm-50000.json" "'%.0f' % d['throughput']")|$(json_get "$WORK/warm-50000.json" "d['latency_us']['p50']")|$(json_get "$WORK/warm-50000.json" "d['latency_us']['p99']")|$(json_get "$WORK/warm-50000.json" "d['errors']")|$WARM_CPU")
for capacity in 10000 1024; do
  log "warm past the cache: capacity $capacity, $HOT tables"
  start_proxy "cap$capacity" "$capacity"
  # Every table loaded once (not measured), then the measured run.
  load "$WORK/prime-$capacity.json" run --tables "$(tables 0 $((HOT - 1)))" --connections "$CONNECTIONS" --depth "$DEPTH" \
    --table-stride $((HOT / CONNECTIONS)) --requests "$HOT"
  before=$(cpu_ns "$PROXY_PID")
  load "$WORK/warm-$capacity.json" run --tables "$(tables 0 $((HOT - 1)))" --connections "$CONNECTIONS" --depth "$DEPTH" \
    --table-stride $((HOT / CONNECTIONS)) --duration "$DURATION" --warmup "$WARMUP"
  after=$(cpu_ns "$PROXY_PID")
  cpu=$(python3 -c "import json; d=json.load(open('$WORK/warm-$capacity.json')); print('%.0f' % (($after - $before) / 1000 / max(1, d['counters']['replies'])))")
  WARM_ROWS+=("$capacity|$(json_get "$WORK/warm-$capacity.json" "'%.0f' % d['throughput']")|$(json_get "$WORK/warm-$capacity.json" "d['latency_us']['p50']")|$(json_get "$WORK/warm-$capacity.json" "d['latency_us']['p99']")|$(json_get "$WORK/warm-$capacity.json" "d['errors']")|$cpu")
  stop_proxy
done

# --- report -------------------------------------------------------------------------------------
cp "$WORK"/cold-0.json "$WORK"/herd.json "$WORK"/warm-*.json "$OUT/" 2>/dev/null || true
{
  echo "# Route scale results"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Route nodes under one root: $NODES ZooKeeper nodes in all. Served cluster: $SERVED tables; $HOT in use."
  echo
  echo "## route sync"
  echo
  echo "| run | tables | created | unchanged | seconds |"
  echo "|---|---:|---:|---:|---:|"
  for row in "${SYNC_ROWS[@]}"; do echo "| ${row//|/ | } |"; done
  echo
  echo "## Cold route loads (first query of each table), batches of $BATCH, $CONNECTIONS connections x depth $DEPTH"
  echo
  echo "| tables seen before | proxy CPU per query (us) | p50 (us) | p99 (us) | errors |"
  echo "|---:|---:|---:|---:|---:|"
  for row in "${COLD_ROWS[@]}"; do echo "| ${row//|/ | } |"; done
  echo
  echo "## Cold herd"
  echo
  echo "$HERD connections, one first query each for $HERD distinct tables (after $HOT seen): errors $(json_get "$WORK/herd.json" "d['errors']"), unanswered $(json_get "$WORK/herd.json" "d['unanswered']"), p50 $(json_get "$WORK/herd.json" "d['latency_us']['p50']") us, p99 $(json_get "$WORK/herd.json" "d['latency_us']['p99']") us, max $(json_get "$WORK/herd.json" "d['latency_us']['max']") us; proxy CPU $HERD_CPU us per query (connection set-up included)."
  echo
  echo "## Warm: $HOT tables, $CONNECTIONS connections x depth $DEPTH, $DURATION s"
  echo
  echo "| route cache capacity | queries/s | p50 (us) | p99 (us) | errors | proxy CPU per query (us) |"
  echo "|---:|---:|---:|---:|---:|---:|"
  for row in "${WARM_ROWS[@]}"; do echo "| ${row//|/ | } |"; done
  echo
  echo "## Memory and watches (capacity 50,000)"
  echo
  echo "| point | proxy RSS (KiB) | ZooKeeper watches |"
  echo "|---|---:|---:|"
  echo "| started, no route cached | $RSS_START | $WATCHES_START |"
  echo "| $HOT routes cached | $RSS_HOT | $WATCHES_HOT |"
  echo "| $((HOT + HERD)) routes cached | $RSS_ALL | $WATCHES_ALL |"
  echo
  echo "RSS per cached and watched route: $(python3 -c "print('%.2f' % (($RSS_ALL - $RSS_START) / ($HOT + $HERD)))") KiB (includes the table's per-table counter series while under metric.max_table_series)."
  echo "/metrics after $((HOT + HERD)) tables: $SERIES client_query_config_count series, rendered in $SCRAPE_MS ms."
} > "$OUT/summary.md"
cat "$OUT/summary.md"
