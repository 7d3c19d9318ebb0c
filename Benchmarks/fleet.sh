#!/usr/bin/env bash
# Many meta-proxy instances behind one address: 4 instances behind HAProxy (TCP mode, round-robin,
# /readyz health checks on the admin port), under reconnecting load (pegasus-load fleet), then one
# instance killed (SIGKILL, then separately SIGTERM = graceful drain) and started again. Prints a
# per-second timeline of ok/errors around each kill, the errors by kind, when HAProxy marked the
# instance down and up, and the recovery time. Loopback only.
#
#   Benchmarks/fleet.sh                      # results in Benchmarks/results/fleet/<UTC timestamp>/
#   SKIP_BUILD=1 Benchmarks/fleet.sh         # use the release binaries already built
#   SCENARIOS="doc:KILL:0 doc:TERM:7" KILL_AT=10 RESTART_AT=22 DURATION=34 Benchmarks/fleet.sh
#   MP_BIN=/path/to/meta-proxy SKIP_BUILD=1 Benchmarks/fleet.sh   # another meta-proxy binary
#
# A scenario is profile:signal:drain_delay — the HAProxy profile below, the signal sent to one
# instance (KILL or TERM), and that instance's server.drain_delay in seconds (0 = none).
#
# ROUTE_SOURCE=zk runs the instances on routes in a local ZooKeeper (scripts/zk.sh) instead of a
# routes file (the default, ROUTE_SOURCE=file).
#
# Profiles (HAProxy backend settings):
#   doc    - docs/deployment.md as written: check inter 2s fall 3 rise 2, on-marked-down shutdown-sessions
#   tuned  - the same plus `option redispatch 1`, `retries 3`, `timeout connect 1s` and inter 1s fall 2
#            (a connect to a dead instance is retried on another one at once)
#   observe - tuned plus `observe layer4 error-limit 1 on-error mark-down`: a failed connect of live
#            traffic marks the instance down at once, without waiting for the checks
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
INSTANCES=${INSTANCES:-4}
CONNECTIONS=${CONNECTIONS:-64}
DEPTH=${DEPTH:-8}
CLIENTS=${CLIENTS:-16}
CLIENT_INTERVAL_MS=${CLIENT_INTERVAL_MS:-100}
TABLE_COUNT=${TABLE_COUNT:-16}
PARTITIONS=${PARTITIONS:-8}
KILL_AT=${KILL_AT:-10}        # seconds after the load started
RESTART_AT=${RESTART_AT:-22}
DURATION=${DURATION:-34}
SCENARIOS=${SCENARIOS:-"doc:KILL:0 doc:TERM:0 doc:TERM:7 tuned:KILL:0 tuned:TERM:0 tuned:TERM:3 observe:KILL:0"}
VICTIM=${VICTIM:-2}           # which instance (1-based) is killed
ROUTE_SOURCE=${ROUTE_SOURCE:-file}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$HERE/results/fleet/$STAMP}
WORK=$(mktemp -d /tmp/meta-proxy-fleet.XXXXXX)
mkdir -p "$OUT"

source "$HERE/common.sh"

command -v haproxy >/dev/null || { log "installing haproxy"; apt-get install -y -q haproxy >/dev/null; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

build() { # dir, product, extra swift build arguments
  (cd "$1" && swift build -c release --product "$2" "${@:3}" > "$WORK/build-$2.log" 2>&1) \
    || fail "release build of $2 failed: $(grep -m5 'error:' "$WORK/build-$2.log")"
}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building release: meta-proxy, pegasus-sim, pegasus-load"
  build "$ROOT" meta-proxy -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib
  build "$ROOT" pegasus-sim -Xswiftc -enforce-exclusivity=unchecked --static-swift-stdlib
  build "$HERE" pegasus-load
fi
BIN=$ROOT/.build/release
MP_BIN=${MP_BIN:-$BIN/meta-proxy}
LOAD=${LOAD_BIN:-$HERE/.build/release/pegasus-load}
for b in "$MP_BIN" "$BIN/pegasus-sim" "$LOAD"; do [ -x "$b" ] || fail "missing $b"; done

# --- backend: one pegasus-sim cluster ---------------------------------------------------------------
TABLE_ARGS=$(python3 -c "print(','.join('t%02d:$PARTITIONS' % i for i in range($TABLE_COUNT)))")
"$BIN/pegasus-sim" --cluster bench --metas 1 --replicas 3 --tables "$TABLE_ARGS" --control-port "$(free_port)" \
  --log-level warning > "$WORK/sim.json" 2> "$WORK/sim.log" &
PIDS+=("$!")
wait_line "$WORK/sim.json" 30 || fail "pegasus-sim did not start: $(cat "$WORK/sim.log")"
SIM_META=$(python3 -c "import json; print(json.loads(open('$WORK/sim.json').readline())['metas'][0])")
LOAD_TABLES=$(python3 -c "import json; t=json.loads(open('$WORK/sim.json').readline())['tables']; print(','.join('%s:%d' % (n, t[n]['app_id']) for n in sorted(t)))")
python3 - "$WORK/routes.yaml" "$SIM_META" "$TABLE_ARGS" <<'PY'
import sys
path, meta, tables = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    f.write("tables:\n")
    for entry in tables.split(","):
        f.write("  %s: { cluster: bench, meta_addrs: [\"%s\"] }\n" % (entry.split(":")[0], meta))
PY
ROUTES_LINE="routes_file: $WORK/routes.yaml"
if [ "$ROUTE_SOURCE" = zk ]; then
  ZK_DIR=$WORK/zk
  ZK_ADDRESS=$("$ROOT/scripts/zk.sh" start "$(free_port)" "$ZK_DIR")
  "$MP_BIN" route sync --cluster bench --meta "$SIM_META" --zk "$ZK_ADDRESS" --zk-root /fleet > "$WORK/sync.log" \
    || fail "route sync failed: $(cat "$WORK/sync.log")"
  ROUTES_LINE="zookeeper: { address: [\"$ZK_ADDRESS\"], root: /fleet }"
fi
mp_config() { # file, drain delay (seconds; 0 = the key is left out, so older binaries run too)
  local drain=""
  [ "$2" != 0 ] && drain=", drain_delay: $2"
  cat > "$1" <<YAML
server: { threads: 1, idle_timeout: 600$drain }
$ROUTES_LINE
meta: { timeout: 3000 }
log: { level: info }
YAML
}
mp_config "$WORK/mp.yaml" 0

# --- the instances: fixed ports, so a restarted instance comes back where HAProxy expects it -------
declare -a MP_PORT MP_ADMIN MP_PID
for i in $(seq 1 "$INSTANCES"); do MP_PORT[$i]=$(free_port); MP_ADMIN[$i]=$(free_port); MP_PID[$i]=""; done
start_instance() { # index [config]
  local i=$1 config=${2:-$WORK/mp.yaml}
  "$MP_BIN" serve --config "$config" --listen "127.0.0.1:${MP_PORT[$i]}" \
    --admin-listen "127.0.0.1:${MP_ADMIN[$i]}" >> "$WORK/mp$i.log" 2>&1 &
  MP_PID[$i]=$!; PIDS+=("$!")
}
wait_instance() { wait_http "http://127.0.0.1:${MP_ADMIN[$1]}/readyz" 30 || fail "meta-proxy $1 not ready: $(tail -5 "$WORK/mp$1.log")"; }
for i in $(seq 1 "$INSTANCES"); do start_instance "$i"; done
for i in $(seq 1 "$INSTANCES"); do wait_instance "$i"; done

# --- HAProxy -----------------------------------------------------------------------------------------
haproxy_config() { # file, listen port, stats socket, profile
  local extra_defaults="" server_defaults
  case $4 in
    doc)   server_defaults="check inter 2s fall 3 rise 2 on-marked-down shutdown-sessions" ;;
    tuned) server_defaults="check inter 1s fall 2 rise 2 on-marked-down shutdown-sessions"
           extra_defaults=$'  retries 3\n  option redispatch 1' ;;
    observe) server_defaults="check inter 1s fall 2 rise 2 on-marked-down shutdown-sessions observe layer4 error-limit 1 on-error mark-down"
           extra_defaults=$'  retries 3\n  option redispatch 1' ;;
    *) fail "unknown profile $4" ;;
  esac
  {
    echo "global"
    echo "  maxconn 4000"
    echo "  stats socket $3 mode 600 level admin"
    echo "defaults"
    echo "  mode tcp"
    if [ "$4" = doc ]; then echo "  timeout connect 3s"; else echo "  timeout connect 1s"; fi
    echo "  timeout client 10m"
    echo "  timeout server 10m"
    [ -n "$extra_defaults" ] && echo "$extra_defaults"
    echo "frontend pegasus_meta"
    echo "  bind 127.0.0.1:$2"
    echo "  default_backend meta_proxies"
    echo "backend meta_proxies"
    echo "  balance roundrobin"
    echo "  option httpchk GET /readyz"
    echo "  http-check expect status 200"
    echo "  default-server $server_defaults"
    for i in $(seq 1 "$INSTANCES"); do echo "  server mp$i 127.0.0.1:${MP_PORT[$i]} port ${MP_ADMIN[$i]}"; done
  } > "$1"
}

# Polls HAProxy's server states every 50 ms and prints each change with its time.
cat > "$WORK/watch.py" <<'PY'
import socket, sys, time
path, out = sys.argv[1], sys.argv[2]
last = {}
with open(out, "w", buffering=1) as f:
    while True:
        try:
            s = socket.socket(socket.AF_UNIX); s.connect(path); s.sendall(b"show stat\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            s.close()
        except OSError:
            time.sleep(0.05); continue
        lines = data.decode().splitlines()
        if not lines: time.sleep(0.05); continue
        head = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(head, line.split(",")))
            if row.get("pxname") != "meta_proxies" or row.get("svname") in ("BACKEND", "FRONTEND", None): continue
            status = row.get("status", "")
            if last.get(row["svname"]) != status:
                last[row["svname"]] = status
                f.write("%.3f %s %s\n" % (time.time(), row["svname"], status))
        time.sleep(0.05)
PY

scenario() { # profile, signal, drain delay
  local profile=$1 sig=$2 drain=$3 name="$1-$2"
  [ "$drain" != 0 ] && name="$name-drain$drain"
  # the victim runs with this scenario's drain delay
  mp_config "$WORK/mp-$name.yaml" "$drain"
  kill "${MP_PID[$VICTIM]}" 2>/dev/null || true; wait "${MP_PID[$VICTIM]}" 2>/dev/null || true
  start_instance "$VICTIM" "$WORK/mp-$name.yaml"; wait_instance "$VICTIM"
  local port; port=$(free_port)
  local sock=$WORK/haproxy-$name.sock
  haproxy_config "$WORK/haproxy-$name.cfg" "$port" "$sock" "$profile"
  haproxy -db -f "$WORK/haproxy-$name.cfg" > "$WORK/haproxy-$name.log" 2>&1 &
  local hpid=$!; PIDS+=("$hpid")
  python3 "$WORK/watch.py" "$sock" "$OUT/states-$name.txt" &
  local wpid=$!; PIDS+=("$wpid")
  # all servers UP before the load starts
  for _ in $(seq 1 100); do
    [ "$(cat "$OUT/states-$name.txt" 2>/dev/null | grep -c ' UP$' || true)" -ge "$INSTANCES" ] && break; sleep 0.1
  done
  log "scenario $name: $CONNECTIONS pipelined connections x depth $DEPTH + $CLIENTS paced clients, SIG$sig to mp$VICTIM (drain_delay $drain s) at ${KILL_AT}s, restart at ${RESTART_AT}s"
  local load_before; load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  "$LOAD" fleet --target "127.0.0.1:$port" --tables "$LOAD_TABLES" --threads 1 --connections "$CONNECTIONS" \
    --depth "$DEPTH" --clients "$CLIENTS" --client-interval-ms "$CLIENT_INTERVAL_MS" --duration "$DURATION" \
    --label "$name" --json "$OUT/totals-$name.json" --timeline "$OUT/timeline-$name.jsonl" > "$WORK/load-$name.out" &
  local lpid=$!
  wait_line "$WORK/load-$name.out" 10 || fail "pegasus-load did not start"
  local t0; t0=$(python3 -c "import json; print(json.loads(open('$WORK/load-$name.out').readline())['t'])")
  sleep "$(python3 -c "import time; print(max(0, $t0 + $KILL_AT - time.time()))")"
  local victim=${MP_PID[$VICTIM]} t_kill t_exit t_restart t_ready
  t_kill=$(now)
  kill "-$sig" "$victim"
  wait "$victim" 2>/dev/null || true
  t_exit=$(now)
  sleep "$(python3 -c "import time; print(max(0, $t0 + $RESTART_AT - time.time()))")"
  t_restart=$(now)
  start_instance "$VICTIM"
  wait_instance "$VICTIM"
  t_ready=$(now)
  # where the clients are near the end: connections open per instance (the restarted one gets only new connections)
  sleep "$(python3 -c "import time; print(max(0, $t0 + $DURATION - 1.5 - time.time()))")"
  local spread=""
  for i in $(seq 1 "$INSTANCES"); do
    local count
    count=$(curl -fsS "http://127.0.0.1:${MP_ADMIN[$i]}/metrics" 2>/dev/null | awk '/^client_connection_count[ {]/{n=$NF} END{print n}' || true)
    spread="$spread mp$i=${count:-?}"
  done
  wait "$lpid" || fail "pegasus-load failed: $(cat "$WORK/load-$name.out")"
  local load_after; load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  sleep 0.5
  kill "$wpid" "$hpid" 2>/dev/null || true
  wait "$wpid" "$hpid" 2>/dev/null || true
  cp "$WORK/haproxy-$name.cfg" "$OUT/haproxy-$name.cfg"
  cat > "$OUT/events-$name.json" <<JSON
{"profile": "$profile", "signal": "$sig", "drain_delay": $drain, "victim": "mp$VICTIM", "t0": $t0, "kill": $t_kill, "exit": $t_exit,
 "restart": $t_restart, "ready": $t_ready, "loadavg_before": "$load_before", "loadavg_after": "$load_after",
 "connections_near_end": "${spread# }"}
JSON
  python3 "$HERE/fleet-report.py" "$OUT" "$name" | tee "$OUT/report-$name.txt"
}

for spec in $SCENARIOS; do
  IFS=: read -r profile sig drain <<< "$spec"
  # every instance up before each scenario
  for i in $(seq 1 "$INSTANCES"); do kill -0 "${MP_PID[$i]}" 2>/dev/null || { start_instance "$i"; wait_instance "$i"; }; done
  scenario "$profile" "$sig" "${drain:-0}"
done
for i in $(seq 1 "$INSTANCES"); do cp "$WORK/mp$i.log" "$OUT/mp$i.log" 2>/dev/null || true; done
{
  echo "{\"nproc\": $(nproc), \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\","
  echo " \"instances\": $INSTANCES, \"connections\": $CONNECTIONS, \"depth\": $DEPTH, \"clients\": $CLIENTS,"
  echo " \"client_interval_ms\": $CLIENT_INTERVAL_MS, \"tables\": $TABLE_COUNT, \"partitions\": $PARTITIONS,"
  echo " \"route_source\": \"$ROUTE_SOURCE\", \"scenarios\": \"$SCENARIOS\", \"kill_at\": $KILL_AT, \"restart_at\": $RESTART_AT, \"duration\": $DURATION,"
  echo " \"haproxy\": \"$(haproxy -v | head -1 | awk '{print $3}')\", \"commit\": \"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\"}"
} > "$OUT/machine.json"
python3 "$HERE/fleet-report.py" "$OUT" | tee "$OUT/summary.md"
log "results in $OUT"
