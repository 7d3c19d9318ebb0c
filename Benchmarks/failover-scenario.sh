#!/usr/bin/env bash
# The failover scenario of Benchmarks/run.sh (called by it): relay throughput and idle CPU of
# meta-proxy with failover active (100 tables over 4 pegasus-sim clusters, each table with a
# duplication backup on the next cluster, an auto-failover policy, probes running) against the
# same proxy without it (the same tables with no backups, the shipped manual-only policy).
# Both proxies keep coalescing on (the default), so the relay, not the four sims on the load CPU,
# is what the probes compete with. Writes OUT/failover.json; {"skipped": ...} without a failover runtime.
#
#   failover-scenario.sh BIN LOAD OUT WORK LOAD_CPU RELAY_CPU
set -euo pipefail
BIN=$1 LOAD=$2 OUT=$3 WORK=$4 LOAD_CPU=$5 RELAY_CPU=$6
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
IDLE_SECONDS=${IDLE_SECONDS:-10}
CLUSTERS=4
PER_CLUSTER=25

log() { printf '\n== %s\n' "$*" >&2; }
skip() {
  echo "{\"skipped\": \"$1\"}" > "$OUT/failover.json"
  echo "failover scenario skipped: $1"
  exit 0
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_http() { for _ in $(seq 1 $(($2 * 10))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
CLK_TCK=$(getconf CLK_TCK)

log "failover scenario"
if ! "$BIN/meta-proxy" serve --help 2>&1 | grep -q -- '--policies'; then
  skip "failover runtime not available"
fi

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Cluster c$i serves its 25 tables p${i}_NN and holds the backups of cluster c$((i-1)).
declare -a METAS CONTROLS
for i in $(seq 0 $((CLUSTERS - 1))); do
  prev=$(((i + CLUSTERS - 1) % CLUSTERS))
  tables=$(python3 -c "print(','.join(['p${i}_%02d:8' % j for j in range($PER_CLUSTER)] + ['p${prev}_%02d:8' % j for j in range($PER_CLUSTER)]))")
  taskset -c "$LOAD_CPU" "$BIN/pegasus-sim" --cluster "c$i" --metas 1 --replicas 3 --tables "$tables" \
    --control-port "$(free_port)" --log-level warning > "$WORK/fo-sim$i.json" 2> "$WORK/fo-sim$i.log" &
  PIDS+=("$!")
done
for i in $(seq 0 $((CLUSTERS - 1))); do
  for _ in $(seq 1 300); do [ -s "$WORK/fo-sim$i.json" ] && break; sleep 0.1; done
  METAS[$i]=$(python3 -c "import json; print(json.loads(open('$WORK/fo-sim$i.json').readline())['metas'][0])")
  CONTROLS[$i]=$(python3 -c "import json; print(json.loads(open('$WORK/fo-sim$i.json').readline())['control'])")
done
# Every primary table duplicates to the next cluster (DS_LOG, no lag), so backups are eligible.
for i in $(seq 0 $((CLUSTERS - 1))); do
  next=$(((i + 1) % CLUSTERS))
  for j in $(seq -w 0 $((PER_CLUSTER - 1))); do
    curl -fsS -o /dev/null "http://${CONTROLS[$i]}/duplication?table=p${i}_$j&remote=c$next&status=DS_LOG&lag=0"
  done
done

METAS_CSV=$(IFS=,; echo "${METAS[*]}")
python3 - "$WORK" "$CLUSTERS" "$PER_CLUSTER" "$METAS_CSV" <<'PY'
import json, sys
work, clusters, per, metas = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
apps = [json.loads(open("%s/fo-sim%d.json" % (work, i)).readline())["tables"] for i in range(clusters)]
load = []
for name, backups in (("with", True), ("without", False)):
    with open("%s/fo-routes-%s.yaml" % (work, name), "w") as f:
        f.write("tables:\n")
        for i in range(clusters):
            for j in range(per):
                table = "p%d_%02d" % (i, j)
                line = "  %s: { cluster: c%d, meta_addrs: [\"%s\"]" % (table, i, metas[i])
                if backups:
                    n = (i + 1) % clusters
                    line += ", backups: [{ cluster: c%d, meta_addrs: [\"%s\"] }]" % (n, metas[n])
                f.write(line + " }\n")
                if backups:
                    load.append("%s:%d" % (table, apps[i][table]["app_id"]))
with open("%s/fo-load-tables" % work, "w") as f:
    f.write(",".join(load))
PY
mkdir -p "$WORK/fo-policies-with" "$WORK/fo-policies-without"
cat > "$WORK/fo-policies-with/auto.yaml" <<'YAML'
name: bench-auto
tables: ["*"]
kind: auto-failover
probe:    { interval: 1s, timeout: 500ms, fall: 3, rise: 3 }
switch:   { min_down: 2s, cooldown: 30s }
guard:    { max_lag_decrees: 1000, max_lag_age: 30s }
YAML
cat > "$WORK/fo-policies-without/default.yaml" <<'YAML'
name: default
tables: ["*"]
kind: manual
YAML

run_one() { # name
  local name=$1 addr admin pid
  addr=127.0.0.1:$(free_port); admin=127.0.0.1:$(free_port)
  cat > "$WORK/fo-$name.yaml" <<YAML
routes_file: $WORK/fo-routes-$name.yaml
log: { level: warning }
YAML
  taskset -c "$RELAY_CPU" "$BIN/meta-proxy" serve --config "$WORK/fo-$name.yaml" --policies "$WORK/fo-policies-$name" \
    --listen "$addr" --admin-listen "$admin" > "$WORK/fo-$name.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_http "http://$admin/readyz" 30 || { echo "meta-proxy ($name) not ready: $(tail -5 "$WORK/fo-$name.log")" >&2; return 1; }
  if [ "$name" = with ] && ! curl -fsS -o /dev/null "http://$admin/failover" 2>/dev/null; then
    skip "failover runtime not available (serve --policies exists, GET /failover does not)"
  fi
  sleep 3
  local before after
  before=$(cpu_ticks "$pid"); sleep "$IDLE_SECONDS"; after=$(cpu_ticks "$pid")
  echo "$(( after - before ))" > "$WORK/fo-idle-$name"
  log "failover scenario: load through meta-proxy ($name failover)"
  taskset -c "$LOAD_CPU" "$LOAD" run --target "$addr" --tables "$(cat "$WORK/fo-load-tables")" --connections 64 --depth 16 \
    --warmup "$WARMUP" --duration "$DURATION" --label "failover-$name" --json "$OUT/failover-run-$name.json"
}
run_one with
run_one without

python3 - "$OUT" "$WORK" "$IDLE_SECONDS" "$CLK_TCK" <<'PY'
import json, sys
out, work, idle, tck = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
runs = {n: json.load(open("%s/failover-run-%s.json" % (out, n))) for n in ("with", "without")}
ticks = {n: int(open("%s/fo-idle-%s" % (work, n)).read()) for n in ("with", "without")}
cpu = {n: ticks[n] / tck * 1000.0 / idle for n in ticks}
result = {
    "throughput_with": runs["with"]["throughput"], "throughput_without": runs["without"]["throughput"],
    "throughput_ratio": runs["with"]["throughput"] / max(1.0, runs["without"]["throughput"]),
    "idle_cpu_ms_per_s_with": cpu["with"], "idle_cpu_ms_per_s_without": cpu["without"],
    "probe_cpu_ms_per_s": cpu["with"] - cpu["without"],
    "errors_with": runs["with"]["errors"], "errors_without": runs["without"]["errors"],
}
json.dump(result, open("%s/failover.json" % out, "w"), indent=2)
print("failover: throughput with/without = %.3f, probe CPU %.2f ms/s" % (result["throughput_ratio"], result["probe_cpu_ms_per_s"]))
PY
