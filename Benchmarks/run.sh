#!/usr/bin/env bash
# One command, a few minutes, loopback only: meta-proxy against HAProxy (TCP mode) on the same
# pegasus-sim backend, plus the herd, scale and failover scenarios.
#
#   Benchmarks/run.sh                 # results in Benchmarks/results/<UTC timestamp>/
#   DURATION=10 WARMUP=2 Benchmarks/run.sh
#   SKIP_BUILD=1 Benchmarks/run.sh    # use the release binaries already built
#   PLAIN=0 Benchmarks/run.sh         # skip the plain-build meta-proxy (see below)
#   ALLOCATIONS=0 Benchmarks/run.sh   # skip the allocation count (Benchmarks/allocations.sh, about a minute)
#
# meta-proxy runs in two builds side by side, in the same interleaved rounds: the documented release
# build (scripts/build-release.sh: -enforce-exclusivity=unchecked, static stdlib) in .build/release,
# and a plain `swift build -c release` in .build-plain/release (mp-file-plain). The summary prints
# the CPU-per-request and throughput ratios against HAProxy for both, at one core.
#
# Layout on a 2-core machine (taskset): CPU 0 runs the load generator, pegasus-sim and ZooKeeper;
# CPU 1 runs the relay under test (HAProxy or meta-proxy) alone. Each relay therefore gets one
# whole core, and HAProxy (nbthread defaults to the CPUs it may use) and meta-proxy (one event
# loop per usable CPU) both run one thread on the data path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
DEPTH=${DEPTH:-16}
TABLE_COUNT=${TABLE_COUNT:-16}
PARTITIONS=${PARTITIONS:-8}
HERD_CONNECTIONS=${HERD_CONNECTIONS:-1000}
PLAIN=${PLAIN:-1}
ALLOCATIONS=${ALLOCATIONS:-1}
ROUNDS=${ROUNDS:-2}   # the side-by-side runs are repeated, interleaved, against drifting background load
SCALE_IDLE=${SCALE_IDLE:-10000}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$HERE/results/$STAMP}
WORK=$(mktemp -d /tmp/meta-proxy-bench.XXXXXX)
mkdir -p "$OUT"

source "$HERE/common.sh"

if [ "$(nproc)" -ge 2 ]; then LOAD_CPU=0 RELAY_CPU=1; else LOAD_CPU=0 RELAY_CPU=0; fi
# Arrays, not functions: `"${ON_RELAY_CPU[@]}" cmd &` leaves $! = the command's pid (taskset execs it).
ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
ON_RELAY_CPU=(taskset -c "$RELAY_CPU")


CLK_TCK=$(getconf CLK_TCK)

# --- tools and builds -----------------------------------------------------------------------
command -v haproxy >/dev/null || { log "installing haproxy"; apt-get install -y -q haproxy >/dev/null; }
python3 -c 'import matplotlib' 2>/dev/null || { log "installing matplotlib"; pip install -q matplotlib >/dev/null 2>&1 || true; }
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((SCALE_IDLE + 1000)) ] || fail "ulimit -n $(ulimit -n) is too low for $SCALE_IDLE connections"

build() { # dir, product, extra swift build arguments
  (cd "$1" && swift build -c release --product "$2" "${@:3}" > "$WORK/build-$2.log" 2>&1) \
    || fail "release build of $2 failed: $(grep -m5 'error:' "$WORK/build-$2.log")"
}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building release: meta-proxy, pegasus-sim (root, as scripts/build-release.sh), pegasus-load (Benchmarks/)"
  build "$ROOT" meta-proxy -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib
  build "$ROOT" pegasus-sim -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib
  build "$HERE" pegasus-load
  if [ "$PLAIN" = 1 ]; then
    log "building release: meta-proxy, plain \`swift build -c release\` (into .build-plain)"
    build "$ROOT" meta-proxy --scratch-path "$ROOT/.build-plain"
  fi
fi
BIN=$ROOT/.build/release
BIN_PLAIN=$ROOT/.build-plain/release
if [ "$PLAIN" = 1 ] && [ ! -x "$BIN_PLAIN/meta-proxy" ]; then
  log "note: no plain build at $BIN_PLAIN/meta-proxy, the plain-build setup is skipped"
  PLAIN=0
fi
LOAD=$HERE/.build/release/pegasus-load
for b in "$BIN/meta-proxy" "$BIN/pegasus-sim" "$LOAD"; do [ -x "$b" ] || fail "build failed: $b missing"; done

# --- backend: one pegasus-sim cluster with one MetaServer -----------------------------------
log "starting pegasus-sim (1 MetaServer, $TABLE_COUNT tables x $PARTITIONS partitions) on CPU $LOAD_CPU"
TABLE_ARGS=$(python3 -c "print(','.join(['t%02d:$PARTITIONS' % i for i in range($TABLE_COUNT)] + ['herd_on:$PARTITIONS', 'herd_off:$PARTITIONS']))")
SIM_CONTROL_PORT=$(free_port)
"${ON_LOAD_CPU[@]}" "$BIN/pegasus-sim" --cluster bench --metas 1 --replicas 3 --tables "$TABLE_ARGS" \
  --control-port "$SIM_CONTROL_PORT" --log-level warning > "$WORK/sim.json" 2> "$WORK/sim.log" &
SIM_PID=$!; PIDS+=("$SIM_PID")
wait_line "$WORK/sim.json" 30 || fail "pegasus-sim did not start: $(cat "$WORK/sim.log")"
SIM_META=$(python3 -c "import json; print(json.loads(open('$WORK/sim.json').readline())['metas'][0])")
SIM_CONTROL=$(python3 -c "import json; print(json.loads(open('$WORK/sim.json').readline())['control'])")
tables_for() { # table names (comma separated) -> name:app_id,... from the sim's summary
  python3 -c "import json,sys; t=json.loads(open('$WORK/sim.json').readline())['tables']; print(','.join('%s:%d' % (n, t[n]['app_id']) for n in sys.argv[1].split(',')))" "$1"
}
LOAD_TABLES=$(tables_for "$(python3 -c "print(','.join('t%02d' % i for i in range($TABLE_COUNT)))")")
sim_query_count() { curl -fsS "http://$SIM_CONTROL/stats" | python3 -c 'import json,sys; print(sum(m["query_config"] for m in json.load(sys.stdin)["metas"]))'; }

# --- ZooKeeper with the routes ----------------------------------------------------------------
log "starting ZooKeeper on CPU $LOAD_CPU"
ZK_DIR=$WORK/zk
ZK_ADDRESS=$("${ON_LOAD_CPU[@]}" "$ROOT/scripts/zk.sh" start "$(free_port)" "$ZK_DIR")
ZK_ROOT=/bench
"$BIN/meta-proxy" route sync --cluster bench --meta "$SIM_META" --zk "$ZK_ADDRESS" --zk-root "$ZK_ROOT" > "$WORK/sync.log"

# --- relays -------------------------------------------------------------------------------------
python3 - "$WORK/routes.yaml" "$SIM_META" "$TABLE_ARGS" <<'PY'
import sys
path, meta, tables = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    f.write("tables:\n")
    for entry in tables.split(","):
        f.write("  %s: { cluster: bench, meta_addrs: [\"%s\"] }\n" % (entry.split(":")[0], meta))
PY
write_config() { # file, route source yaml line(s), coalesce
  cat > "$1" <<YAML
server: { max_connections: $((SCALE_IDLE + 2000)), idle_timeout: 600 }
$2
meta: { timeout: 3000, coalesce: $3 }
log: { level: warning }
YAML
}
# The side-by-side runs turn coalescing off: with 1,024 queries in flight over 16 tables most
# would share an upstream call, and the backend would not see the same work as behind HAProxy.
# One extra run (mp-file-coalesce) shows the default (on); the herd compares on and off.
ZK_SOURCE="zookeeper: { address: [\"$ZK_ADDRESS\"], root: $ZK_ROOT }"
write_config "$WORK/file.yaml" "routes_file: $WORK/routes.yaml" false
write_config "$WORK/file-coalesce.yaml" "routes_file: $WORK/routes.yaml" true
write_config "$WORK/zk.yaml" "$ZK_SOURCE" false
write_config "$WORK/zk-coalesce.yaml" "$ZK_SOURCE" true

# meta-proxy sizes its event loops by the machine's CPUs, not by its CPU affinity: pinned to one
# CPU it would run two loops there. A thread option, when the binary has one, pins that to 1.
THREAD_ARGS=()
if "$BIN/meta-proxy" serve --help 2>&1 | grep -q -- '--threads'; then
  THREAD_ARGS=(--threads 1)
else
  log "note: meta-proxy serve has no --threads option: pinned to CPU $RELAY_CPU it runs $(nproc) event loops there"
fi
start_proxy() { # name, config, pin (1 = relay CPU, 0 = unpinned), binary dir -> sets PROXY_PID, PROXY_ADDR, PROXY_ADMIN
  local name=$1 config=$2 pinned=${3:-1} bin=${4:-$BIN}
  PROXY_ADDR=127.0.0.1:$(free_port)
  PROXY_ADMIN=127.0.0.1:$(free_port)
  if [ "$pinned" = 1 ]; then
    "${ON_RELAY_CPU[@]}" "$bin/meta-proxy" serve --config "$config" --listen "$PROXY_ADDR" --admin-listen "$PROXY_ADMIN" \
      ${THREAD_ARGS[@]+"${THREAD_ARGS[@]}"} > "$WORK/$name.log" 2>&1 &
  else
    "$bin/meta-proxy" serve --config "$config" --listen "$PROXY_ADDR" --admin-listen "$PROXY_ADMIN" > "$WORK/$name.log" 2>&1 &
  fi
  PROXY_PID=$!; PIDS+=("$PROXY_PID")
  wait_http "http://$PROXY_ADMIN/readyz" 30 || fail "meta-proxy $name not ready: $(tail -20 "$WORK/$name.log")"
}

haproxy_config() { # file, listen address
  cat > "$1" <<CFG
global
  maxconn 4000
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
listen meta
  bind $2
  server sim $SIM_META
CFG
}
HAPROXY_ADDR=127.0.0.1:$(free_port)
haproxy_config "$WORK/haproxy.cfg" "$HAPROXY_ADDR"
log "starting HAProxy $(haproxy -v | head -1 | awk '{print $3}') (TCP mode) and meta-proxy (file, zk) on CPU $RELAY_CPU"
"${ON_RELAY_CPU[@]}" haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!; PIDS+=("$HAPROXY_PID")
sleep 0.5
kill -0 "$HAPROXY_PID" 2>/dev/null || fail "HAProxy did not start: $(cat "$WORK/haproxy.log")"
start_proxy mp-file "$WORK/file.yaml"; FILE_PID=$PROXY_PID; FILE_ADDR=$PROXY_ADDR
if [ "$PLAIN" = 1 ]; then
  start_proxy mp-file-plain "$WORK/file.yaml" 1 "$BIN_PLAIN"; PLAIN_PID=$PROXY_PID; PLAIN_ADDR=$PROXY_ADDR
fi
start_proxy mp-zk "$WORK/zk.yaml"; ZK_PID=$PROXY_PID; ZK_ADDR=$PROXY_ADDR
start_proxy mp-file-coalesce "$WORK/file-coalesce.yaml"; COALESCE_PID=$PROXY_PID; COALESCE_ADDR=$PROXY_ADDR
sleep 1
echo "{\"rss_kib\": $(rss_kib "$FILE_PID")}" > "$OUT/idle-mp-file.json"
echo "{\"rss_kib\": $(rss_kib "$ZK_PID")}" > "$OUT/idle-mp-zk.json"
echo "{\"rss_kib\": $(rss_kib "$HAPROXY_PID")}" > "$OUT/idle-haproxy.json"

# --- throughput: each setup, same load -----------------------------------------------------------
measure() { # name, target, relay pid (or ""), round
  local name=$1 target=$2 pid=$3 round=${4:-1} before=0 sim_before
  log "throughput: $name, round $round ($CONNECTIONS connections x depth $DEPTH, ${WARMUP}s warm-up + ${DURATION}s)"
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  sim_before=$(cpu_ticks "$SIM_PID")
  "${ON_LOAD_CPU[@]}" "$LOAD" run --target "$target" --tables "$LOAD_TABLES" --connections "$CONNECTIONS" --depth "$DEPTH" \
    --warmup "$WARMUP" --duration "$DURATION" --label "$name" --json "$OUT/run-$name.r$round.json"
  local after=0 rss=0
  if [ -n "$pid" ]; then after=$(cpu_ticks "$pid"); rss=$(rss_kib "$pid"); fi
  local sim_after; sim_after=$(cpu_ticks "$SIM_PID")
  echo "{\"cpu_ticks\": $((after - before)), \"clk_tck\": $CLK_TCK, \"rss_kib\": $rss, \"sim_cpu_ticks\": $((sim_after - sim_before))}" \
    > "$OUT/res-$name.r$round.json"
}
# The relays take turns in a rotating order (round 1: HAProxy first, round 2: meta-proxy first, …):
# the one measured right after another setup is not always the same, so an order effect (the sim
# warming to a connection pattern, the machine's background load drifting) does not favour one.
# report.py prints each relay's per-round ratio to HAProxy and their median.
RELAYS=(haproxy mp-file)
[ "$PLAIN" = 1 ] && RELAYS+=(mp-file-plain)
RELAYS+=(mp-zk)
measure_relay() { # setup name, round
  case $1 in
    haproxy) measure haproxy "$HAPROXY_ADDR" "$HAPROXY_PID" "$2" ;;
    mp-file) measure mp-file "$FILE_ADDR" "$FILE_PID" "$2" ;;
    mp-file-plain) measure mp-file-plain "$PLAIN_ADDR" "$PLAIN_PID" "$2" ;;
    mp-zk) measure mp-zk "$ZK_ADDR" "$ZK_PID" "$2" ;;
  esac
}
for round in $(seq 1 "$ROUNDS"); do
  measure direct "$SIM_META" "" "$round"
  for turn in $(seq 0 $((${#RELAYS[@]} - 1))); do
    measure_relay "${RELAYS[$(( (turn + round - 1) % ${#RELAYS[@]} ))]}" "$round"
  done
done
measure mp-file-coalesce "$COALESCE_ADDR" "$COALESCE_PID"
stop_pid "$COALESCE_PID"
[ "$PLAIN" = 1 ] && stop_pid "$PLAIN_PID"

# The same pair unpinned: each relay with its default threads for this machine (HAProxy: one per
# CPU; meta-proxy: one event loop per CPU), free to use both CPUs (load generator and sim stay on CPU 0).
log "relays unpinned (HAProxy and meta-proxy with their default thread counts)"
HAPROXY2_ADDR=127.0.0.1:$(free_port)
haproxy_config "$WORK/haproxy2.cfg" "$HAPROXY2_ADDR"
haproxy -db -f "$WORK/haproxy2.cfg" > "$WORK/haproxy2.log" 2>&1 &
HAPROXY2_PID=$!; PIDS+=("$HAPROXY2_PID")
start_proxy mp-file-unpinned "$WORK/file.yaml" 0; UNPINNED_PID=$PROXY_PID; UNPINNED_ADDR=$PROXY_ADDR
measure haproxy-unpinned "$HAPROXY2_ADDR" "$HAPROXY2_PID"
measure mp-file-unpinned "$UNPINNED_ADDR" "$UNPINNED_PID"
stop_pid "$HAPROXY2_PID"; stop_pid "$UNPINNED_PID"

# --- herd: 1,000 connections, one first query each for the same cold table ------------------------
herd() { # name, config, table
  local name=$1 config=$2 table=$3
  log "herd: $name ($HERD_CONNECTIONS connections, cold table $table)"
  start_proxy "$name" "$config"
  curl -fsS "http://$SIM_CONTROL/reset-stats" > /dev/null
  "${ON_LOAD_CPU[@]}" "$LOAD" herd --target "$PROXY_ADDR" --tables "$(tables_for "$table")" --connections "$HERD_CONNECTIONS" \
    --label "$name" --json "$OUT/$name.json"
  echo "{\"upstream_query_config\": $(sim_query_count)}" > "$OUT/herd-upstream-$name.json"
  stop_pid "$PROXY_PID"
}
herd herd-coalesce-on "$WORK/zk-coalesce.yaml" herd_on
herd herd-coalesce-off "$WORK/zk.yaml" herd_off

# --- scale: 10,000 idle connections held, queries still served ------------------------------------
log "scale: $SCALE_IDLE idle connections to meta-proxy (file), then queries on 4 more"
"${ON_LOAD_CPU[@]}" "$LOAD" scale --target "$FILE_ADDR" --tables "$LOAD_TABLES" --idle "$SCALE_IDLE" --hold 3 \
  --connections 4 --depth 8 --duration 3 --label scale-mp-file --json "$OUT/scale-mp-file.json" > "$WORK/scale.out" &
SCALE_PID=$!
held_rss=0
for _ in $(seq 1 600); do
  if grep -q '"holding"' "$WORK/scale.out" 2>/dev/null; then sleep 1; held_rss=$(rss_kib "$FILE_PID"); break; fi
  sleep 0.1
done
wait "$SCALE_PID" || fail "scale run failed: $(cat "$WORK/scale.out")"
grep -v '^{' "$WORK/scale.out" || true
echo "{\"rss_kib_idle\": $(python3 -c "import json; print(json.load(open('$OUT/idle-mp-file.json'))['rss_kib'])"), \"rss_kib_held\": $held_rss, \"rss_kib_after\": $(rss_kib "$FILE_PID")}" \
  > "$OUT/scale-rss.json"

# --- failover active vs not -----------------------------------------------------------------------
"$HERE/failover-scenario.sh" "$BIN" "$LOAD" "$OUT" "$WORK" "$LOAD_CPU" "$RELAY_CPU" || log "failover scenario failed"

# --- heap allocations per relayed request (THFT v0, THFT v1, RDSN) ----------------------------------
if [ "$ALLOCATIONS" = 1 ]; then
  log "allocations per relayed request (Benchmarks/allocations.sh)"
  SKIP_BUILD=1 BIN=$BIN LOAD=$LOAD OUT=$OUT "$HERE/allocations.sh" > "$WORK/allocations.out" 2>&1 \
    || log "allocation count failed: $(tail -5 "$WORK/allocations.out")"
fi

# --- report ---------------------------------------------------------------------------------------
{
  echo "{\"nproc\": $(nproc), \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\","
  echo " \"mem_total_kib\": $(awk '/MemTotal/{print $2}' /proc/meminfo), \"load_cpu\": $LOAD_CPU, \"relay_cpu\": $RELAY_CPU,"
  echo " \"rounds\": $ROUNDS, \"duration_s\": $DURATION, \"warmup_s\": $WARMUP, \"connections\": $CONNECTIONS, \"depth\": $DEPTH,"
  echo " \"tables\": $TABLE_COUNT, \"partitions\": $PARTITIONS, \"sim_metas\": 1, \"meta_proxy_thread_args\": \"${THREAD_ARGS[*]+${THREAD_ARGS[*]}}\", \"plain_build\": $PLAIN,"
  echo " \"haproxy\": \"$(haproxy -v | head -1 | awk '{print $3}')\", \"commit\": \"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\"}"
} > "$OUT/machine.json"
python3 "$HERE/report.py" "$OUT"
log "results in $OUT"
