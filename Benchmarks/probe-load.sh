#!/usr/bin/env bash
# MetaServer request rate of the failover probes: TABLES protected tables (primary on cluster A,
# duplication backup on cluster B) watched by INSTANCES meta-proxy instances, counted by the
# simulated MetaServers themselves (pegasus-sim /stats, per RPC name and HTTP path).
#
# Two runs over the same clusters and tables:
#   every    every instance decides alone (routes file, no election): each one reads every table's
#            duplication, as every instance did before duplication reads moved to the decider;
#   decider  the instances share a ZooKeeper root and elect one decider: cluster health is O(1) per
#            instance, per-table duplication reads happen at the decider only, spread over the interval.
# Prints requests/s per cluster (all MetaServers together) and per cluster per instance, with the
# breakdown by request name, and writes OUT/probe-load.json.
#
#   Benchmarks/probe-load.sh                       # debug binaries of this checkout
#   BIN=.build/release TABLES=1000 INSTANCES=3 MEASURE=30 Benchmarks/probe-load.sh
#   ZK_ADDRESS=127.0.0.1:2181 Benchmarks/probe-load.sh   # an existing ZooKeeper (else one is started)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BIN=${BIN:-$ROOT/.build/debug}
TABLES=${TABLES:-1000}
INSTANCES=${INSTANCES:-3}
MEASURE=${MEASURE:-30}
INTERVAL=${INTERVAL:-2s}
MODES=${MODES:-every decider}
WORK=$(mktemp -d /tmp/probe-load.XXXXXX)
OUT=${OUT:-$WORK}

log() { printf '== %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 $(($2 * 10))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

PIDS=()
ZK_STARTED=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$ZK_STARTED" ]; then "$ROOT/scripts/zk.sh" stop "$ZK_STARTED" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

if [ -z "${ZK_ADDRESS:-}" ]; then
  ZK_STARTED="$WORK/zk"
  ZK_ADDRESS=$("$ROOT/scripts/zk.sh" start "$(free_port)" "$ZK_STARTED")
fi

# Two clusters with the same TABLES tables (4 partitions each), three MetaServers each.
TABLE_LIST=$(python3 -c "print(','.join('t%04d:4' % i for i in range($TABLES)))")
declare -A META CONTROL
for c in A B; do
  "$BIN/pegasus-sim" --cluster "cluster$c" --metas 3 --replicas 3 --tables "$TABLE_LIST" \
    --control-port 0 --log-level warning > "$WORK/sim$c.json" 2> "$WORK/sim$c.log" &
  PIDS+=("$!")
done
for c in A B; do
  for _ in $(seq 1 300); do [ -s "$WORK/sim$c.json" ] && break; sleep 0.1; done
  META[$c]=$(python3 -c "import json; print(','.join(json.loads(open('$WORK/sim$c.json').readline())['metas']))")
  CONTROL[$c]=$(python3 -c "import json; print(json.loads(open('$WORK/sim$c.json').readline())['control'])")
done
log "clusters up: A=${META[A]} B=${META[B]}; setting $TABLES duplications A -> B"
for i in $(seq 0 $((TABLES - 1))); do printf 't%04d\n' "$i"; done > "$WORK/tables"
xargs -P 4 -I{} curl -fsS -o /dev/null "http://${CONTROL[A]}/duplication?table={}&remote=clusterB&status=DS_LOG&lag=0" \
  < "$WORK/tables"

mkdir -p "$WORK/policies"
cat > "$WORK/policies/auto.yaml" <<YAML
name: bench-auto
tables: ["*"]
kind: auto-failover
probe:    { interval: $INTERVAL, timeout: 1s, fall: 3, rise: 2 }
switch:   { min_down: 10s, cooldown: 60s }
guard:    { max_lag_decrees: 1000, max_lag_age: 60s }
YAML
python3 - "$WORK" "$TABLES" "${META[A]}" "${META[B]}" <<'PY'
import sys
work, tables, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4].split(",")
q = lambda metas: ", ".join('"%s"' % m for m in metas)
with open("%s/routes.yaml" % work, "w") as f:
    f.write("tables:\n")
    for i in range(tables):
        f.write('  t%04d: { cluster: clusterA, meta_addrs: [%s], backups: [{ cluster: clusterB, meta_addrs: [%s] }] }\n'
                % (i, q(a), q(b)))
PY

ZK_ROOT=/probe-load-$$
routes_in_zk() {
  log "writing $TABLES routes under $ZK_ROOT"
  # One CLI run per table, retried: a loaded machine can starve a session start.
  export BIN ZK_ADDRESS ZK_ROOT METAS_A="${META[A]}" METAS_B="${META[B]}"
  xargs -P 2 -I{} bash -c 'for _ in 1 2 3 4 5; do
      "$BIN/meta-proxy" route set "$1" --cluster clusterA --meta "$METAS_A" --backup "clusterB=$METAS_B" \
        --zk "$ZK_ADDRESS" --zk-root "$ZK_ROOT" > /dev/null 2>&1 && exit 0; sleep 1; done; echo "route $1 failed" >&2; exit 1' _ {} \
    < "$WORK/tables"
}

# Starts INSTANCES instances for a mode; echoes their admin addresses.
start_instances() { # mode
  local mode=$1 admins=() addr admin
  for n in $(seq 1 "$INSTANCES"); do
    addr=127.0.0.1:$(free_port); admin=127.0.0.1:$(free_port)
    if [ "$mode" = every ]; then
      printf 'routes_file: %s\nlog: { level: warning }\n' "$WORK/routes.yaml" > "$WORK/$mode-$n.yaml"
      "$BIN/meta-proxy" serve --config "$WORK/$mode-$n.yaml" --policies "$WORK/policies" \
        --listen "$addr" --admin-listen "$admin" > "$WORK/$mode-$n.log" 2>&1 &
    else
      "$BIN/meta-proxy" serve --zk "$ZK_ADDRESS" --zk-root "$ZK_ROOT" --policies "$WORK/policies" \
        --listen "$addr" --admin-listen "$admin" > "$WORK/$mode-$n.log" 2>&1 &
    fi
    PIDS+=("$!")
    echo "$!" >> "$WORK/$mode.pids"
    admins+=("$admin")
  done
  for admin in "${admins[@]}"; do
    wait_http "http://$admin/readyz" 60 || { log "instance $admin not ready"; tail -5 "$WORK/$mode-"*.log >&2; exit 1; }
  done
  echo "${admins[@]}"
}

# Waits until every instance sees both clusters up and the decider(s) observed every duplication.
settle() { # admins...
  python3 - "$TABLES" "$@" <<'PY'
import json, sys, time, urllib.request
tables, admins = int(sys.argv[1]), sys.argv[2:]
deadline = time.time() + 300
def status(admin):
    with urllib.request.urlopen("http://%s/failover" % admin, timeout=10) as r:
        return json.loads(r.read())
while time.time() < deadline:
    try:
        docs = [status(a) for a in admins]
    except Exception:
        time.sleep(1); continue
    up = all(d["health"]["clusters"].get(c, {}).get("state") == "up" for d in docs for c in ("clusterA", "clusterB"))
    deciders = [d for d in docs if d["is_decider"]]
    seen = min((sum(1 for o in d["health"]["duplications"] if o["primaryCluster"] == "clusterA") for d in deciders),
               default=0)
    if up and deciders and seen >= tables:
        print("settled: %d decider(s), %d observations each" % (len(deciders), seen), file=sys.stderr)
        sys.exit(0)
    time.sleep(1)
sys.exit("instances did not settle")
PY
}

measure() { # mode
  local mode=$1
  for c in A B; do curl -fsS -o /dev/null "http://${CONTROL[$c]}/reset-stats"; done
  local started
  started=$(date +%s.%N)
  sleep "$MEASURE"
  for c in A B; do curl -fsS "http://${CONTROL[$c]}/stats" > "$WORK/$mode-stats-$c.json"; done
  python3 -c "import time; print(time.time() - $started)" > "$WORK/$mode-seconds"
}

stop_instances() { # mode
  while read -r pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done < "$WORK/$1.pids"
}

for mode in $MODES; do
  [ "$mode" = decider ] && routes_in_zk
  log "mode $mode: $INSTANCES instances, $TABLES tables, probe interval $INTERVAL"
  read -r -a ADMINS <<< "$(start_instances "$mode")"
  settle "${ADMINS[@]}"
  sleep 3
  log "measuring $MEASURE s"
  measure "$mode"
  stop_instances "$mode"
done

python3 - "$WORK" "$OUT" "$INSTANCES" "$TABLES" "$INTERVAL" $MODES <<'PY'
import json, sys
work, out, instances, tables, interval, modes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6:]
result = {"tables": tables, "instances": instances, "probe_interval": interval, "modes": {}}
unit = {"ms": 0.001, "s": 1.0, "m": 60.0}
number = interval.rstrip("mshd") or "0"
interval_s = float(number) * unit.get(interval[len(number):], 1.0)
for mode in modes:
    seconds = float(open("%s/%s-seconds" % (work, mode)).read())
    per_mode = {}
    for c in ("A", "B"):
        stats = json.load(open("%s/%s-stats-%s.json" % (work, mode, c)))
        by_name = {}
        for meta in stats["metas"]:
            for name, count in meta.get("by_name", {}).items():
                by_name[name] = by_name.get(name, 0) + count
        total = sum(m["requests"] + m["http"] for m in stats["metas"])
        per_mode["cluster" + c] = {
            "requests_per_s": round(total / seconds, 1),
            "requests_per_s_per_instance": round(total / seconds / instances, 1),
            "requests_per_interval_per_instance": round(total / seconds / instances * interval_s, 1),
            "by_name_per_s": {k: round(v / seconds, 1) for k, v in sorted(by_name.items())},
        }
    result["modes"][mode] = per_mode
    for cluster, r in per_mode.items():
        print("%-8s %-9s %8.1f req/s  %8.1f req/s per instance  %8.1f per interval per instance   %s" % (
            mode, cluster, r["requests_per_s"], r["requests_per_s_per_instance"],
            r["requests_per_interval_per_instance"],
            " ".join("%s=%s" % kv for kv in r["by_name_per_s"].items())))
json.dump(result, open("%s/probe-load.json" % out, "w"), indent=2)
print("written %s/probe-load.json" % out)
PY
