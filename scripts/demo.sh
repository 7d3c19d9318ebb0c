#!/usr/bin/env bash
# The local demo: two simulated Pegasus clusters, meta-proxy in front of them, and real queries
# through the proxy.
#   Part 1, routing: the routes-file source (no ZooKeeper); `meta-proxy query` and the real Python
#   client (pypegasus3) doing set/get/remove.
#   Part 2, failover: a throwaway ZooKeeper holds routes and failover state; orders is declared on
#   demo-a with demo-b as its duplication backup and an automatic-failover policy. The real Python
#   client writes and reads orders without pause (a per-second timeline) while demo-a dies; the
#   proxy switches orders to demo-b, `failover status` shows the decision and its reason, demo-a
#   comes back and `failover back` returns orders to it.
# Everything on 127.0.0.1; everything is stopped at the end.
#
# Environment (defaults in brackets):
#   SKIP_INSTALL=1   skip scripts/install-deps.sh
#   DEMO_FAST=1      skip the release build and use the binaries in DEMO_BIN [.build/release]
#                    (what the test suite does: integration/e2e/test_demo.py, debug binaries)
#   DEMO_BIN         directory holding meta-proxy and pegasus-sim
#   DEMO_PORT [34601] proxy port (admin: +1)   DEMO_A_PORT [34701] / DEMO_B_PORT [34801] first
#   port of demo-a / demo-b (3 metas, 3 replicas)   DEMO_ZK_PORT [a free one] ZooKeeper
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$*"; }

PORT=${DEMO_PORT:-34601}; ADMIN_PORT=$((PORT + 1))
A_PORT=${DEMO_A_PORT:-34701}; B_PORT=${DEMO_B_PORT:-34801}
PROXY=127.0.0.1:$PORT; ADMIN=127.0.0.1:$ADMIN_PORT
BIN=${DEMO_BIN:-.build/release}

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  say "installing packages (libzookeeper-mt-dev, libcurl4-openssl-dev, zookeeper, pypegasus3)"
  scripts/install-deps.sh
fi
if [ "${DEMO_FAST:-0}" != 1 ]; then
  say "building release binaries"
  scripts/build-release.sh meta-proxy pegasus-sim
fi

pids=()
LOG=$(mktemp -d /tmp/meta-proxy-demo.XXXXXX)
ZK_DIR=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$ZK_DIR" ]; then scripts/zk.sh stop "$ZK_DIR" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# The demo's configuration with the ports of this run (the shipped files name the default ports).
mkdir -p "$LOG/demo"
subst=()
for i in 1 2 3; do
  subst+=(-e "s/127\.0\.0\.1:3470$i\b/@A$i@/g" -e "s/127\.0\.0\.1:3480$i\b/@B$i@/g")
done
for i in 1 2 3; do
  subst+=(-e "s/@A$i@/127.0.0.1:$((A_PORT + i - 1))/g" -e "s/@B$i@/127.0.0.1:$((B_PORT + i - 1))/g")
done
for f in meta-proxy.yaml routes.yaml; do
  sed -e "s/127\.0\.0\.1:34601\b/$PROXY/; s/127\.0\.0\.1:34602\b/$ADMIN/" "${subst[@]}" \
      -e "s|policies_dir: ../../policies|policies_dir: $PWD/policies|" "examples/demo/$f" > "$LOG/demo/$f"
done
metas() { local base=$1; echo "127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"; }
A_METAS=$(metas "$A_PORT"); B_METAS=$(metas "$B_PORT")

say "starting simulated clusters demo-a (orders, users) and demo-b (orders backup, metrics)"
"$BIN/pegasus-sim" --cluster demo-a --metas 3 --tables orders:8,users:4 --base-port "$A_PORT" --leader 1 > "$LOG/demo-a.json" 2> "$LOG/demo-a.log" &
sim_pids=($!)
"$BIN/pegasus-sim" --cluster demo-b --metas 3 --tables orders:8,metrics:4 --base-port "$B_PORT" --app-id-base 100 > "$LOG/demo-b.json" 2> "$LOG/demo-b.log" &
sim_pids+=($!)
pids+=("${sim_pids[@]}")
for i in 0 1; do
  name=$([ "$i" = 0 ] && echo demo-a || echo demo-b)
  for _ in $(seq 1 300); do [ -s "$LOG/$name.json" ] && break; kill -0 "${sim_pids[$i]}" 2>/dev/null || break; sleep 0.1; done
  if [ ! -s "$LOG/$name.json" ]; then
    echo "pegasus-sim $name did not start (ports from $([ "$i" = 0 ] && echo "$A_PORT" || echo "$B_PORT") taken?):"
    tail -3 "$LOG/$name.log"; exit 1
  fi
  head -1 "$LOG/$name.json"
done
field() { python3 -c 'import json,sys; v=json.loads(open(sys.argv[1]).readline())[sys.argv[2]]; print(v if isinstance(v,str) else ",".join(v))' "$@"; }
A_CONTROL=$(field "$LOG/demo-a.json" control); B_CONTROL=$(field "$LOG/demo-b.json" control)
A_REPLICAS=$(field "$LOG/demo-a.json" replicas); B_REPLICAS=$(field "$LOG/demo-b.json" replicas)
ctl() { curl -sf "http://$1$2" >/dev/null; }

wait_ready() { for _ in $(seq 1 300); do curl -sf "http://$ADMIN/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "meta-proxy not ready"; return 1; }

say "starting meta-proxy on $PROXY (admin $ADMIN) with examples/demo/meta-proxy.yaml"
"$BIN/meta-proxy" serve --config "$LOG/demo/meta-proxy.yaml" > "$LOG/meta-proxy.log" 2>&1 &
proxy_pid=$!; pids+=($proxy_pid)
wait_ready
head -3 "$LOG/meta-proxy.log"

say "meta-proxy query orders --meta $PROXY   (routed to demo-a, whose leader is its 2nd meta)"
"$BIN/meta-proxy" query orders --meta "$PROXY"
say "meta-proxy query metrics --meta $PROXY  (routed to demo-b)"
"$BIN/meta-proxy" query metrics --meta "$PROXY"
say "meta-proxy query no_such_table                   (unknown table: ERR_OBJECT_NOT_FOUND, fast)"
"$BIN/meta-proxy" query no_such_table --meta "$PROXY" || true

say "the real Pegasus Python client (pypegasus3), given only the proxy's address: set/get/remove"
( cd "$LOG" && python3 "$OLDPWD/integration/e2e/pyclient_ops.py" --meta "$PROXY" --table orders --table metrics --tag demo ) | python3 -m json.tool

say "GET /routes and a few metrics from the admin endpoint"
curl -s "http://$ADMIN/routes" | head -40
curl -s "http://$ADMIN/metrics" | grep -E '^(client_query_config_count|client_connection_count|metaproxy_replies_total|metaproxy_upstream_requests_total)' | head -12

say "stopping (SIGTERM: meta-proxy drains and exits 0)"
kill -TERM "$proxy_pid"; wait "$proxy_pid" && echo "meta-proxy exited 0"

# ------------------------------------------------------------------------------------------------
say "FAILOVER. A throwaway ZooKeeper holds the routes and the failover state (the failover commands need it)"
ZK_DIR="$LOG/zk"
ZK_PORT=${DEMO_ZK_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
ZK=$(scripts/zk.sh start "$ZK_PORT" "$ZK_DIR")
ROOT=/meta-proxy-demo
ZKARGS=(--zk "$ZK" --zk-root "$ROOT")
# A meta-proxy command against ZooKeeper, tried up to 3 times while it gets no session (a loaded
# machine can starve the throwaway ZooKeeper for a while); other failures are final.
zkcmd() {
  local out rc
  for attempt in 1 2 3; do
    if out=$("$BIN/meta-proxy" "$@" "${ZKARGS[@]}" 2>&1); then printf '%s\n' "$out"; return 0; else rc=$?; fi
    grep -q "cannot connect to ZooKeeper" <<<"$out" && [ "$attempt" -lt 3 ] || { printf '%s\n' "$out"; return $rc; }
  done
}
echo "ZooKeeper $ZK, root $ROOT"

say "meta-proxy route set orders --cluster demo-a ... --backup demo-b=...   (demo-b is orders' duplication backup)"
zkcmd route set orders --cluster demo-a --meta "$A_METAS" --backup "demo-b=$B_METAS"
zkcmd route set metrics --cluster demo-b --meta "$B_METAS" >/dev/null
# What Pegasus' `add_dup orders demo-b` (and, for failback, `add_dup orders demo-a` on demo-b) set
# up on real clusters: orders duplicates demo-a -> demo-b and back (docs/duplication-setup.md).
ctl "$A_CONTROL" "/duplication?table=orders&remote=demo-b&status=DS_LOG&lag=0"
ctl "$B_CONTROL" "/duplication?table=orders&remote=demo-a&status=DS_LOG&lag=0"
note "duplication orders: demo-a -> demo-b (DS_LOG) and demo-b -> demo-a (DS_LOG, keeps the backup's writes for failback)"

POLICIES="$LOG/policies"; mkdir -p "$POLICIES"
write_policy() {
  cat > "$POLICIES/orders.yaml" <<POLICY
# The demo's policy: switch quickly so the demo is short. Production values: policies/examples/.
name: demo-orders
tables: ["orders"]
kind: auto-failover
probe:  { interval: 500ms, timeout: 300ms, fall: 2, rise: 2 }
switch: { min_down: 1s, cooldown: 1m$1 }
guard:  { max_lag_decrees: 1000, max_lag_age: 30s }
POLICY
}
# switch.replica_lease: how long the decider waits after the primary is DOWN, so that its
# ReplicaServers' leases run out and they stop serving writes before the backup takes them
# (default 20s, docs/failover.md). The simulated cluster has no leases: 3s here.
write_policy ", replica_lease: 3s"
if ! out=$(zkcmd failover status orders --policies "$POLICIES"); then
  if grep -q replica_lease <<<"$out"; then
    write_policy ""; LEASE_NOTE="(this build has no switch.replica_lease: it switches after min_down)"
  else
    echo "$out"; exit 1
  fi
fi
note "policy $POLICIES/orders.yaml:"; sed -n '/^kind/,$p' "$POLICIES/orders.yaml" | sed 's/^/     /'
note "probe every 500ms, DOWN after 2 failed probes, switch after 1s DOWN${LEASE_NOTE:+ $LEASE_NOTE}"
[ -z "${LEASE_NOTE:-}" ] && note "plus replica_lease 3s: the old primary's replicas stop taking writes before the backup serves them (default 20s)"

say "starting meta-proxy with the ZooKeeper route source and these policies (it is the elected decider)"
"$BIN/meta-proxy" serve --listen "$PROXY" --admin-listen "$ADMIN" "${ZKARGS[@]}" --policies "$POLICIES" > "$LOG/meta-proxy-failover.log" 2>&1 &
proxy_pid=$!; pids+=($proxy_pid)
wait_ready
# Ready to fail over: both clusters UP, the decider elected, the demo-a -> demo-b lag observed.
warm() {
  curl -sf "http://$ADMIN/failover" | python3 -c '
import json, sys
d = json.load(sys.stdin)
g = lambda o, *ks: next((o[k] for k in ks if k in o), None)
health = g(d, "health") or {}
clusters = g(health, "clusters") or {}
ups = all((clusters.get(c) or {}).get("state") == "up" for c in ("demo-a", "demo-b"))
lag = any(g(x, "primary_cluster", "primaryCluster") == "demo-a" and g(x, "max_lag", "maxLag") is not None
          for x in g(health, "duplications") or [])
sys.exit(0 if ups and lag and g(d, "is_decider", "isDecider") else 1)'
}
for _ in $(seq 1 300); do warm && break; sleep 0.2; done
warm || { echo "meta-proxy did not become ready to fail over"; tail -20 "$LOG/meta-proxy-failover.log"; exit 1; }
curl -s "http://$ADMIN/metrics" | grep -E '^metaproxy_(cluster_up|failover_is_decider)'
note "while it runs: http://$ADMIN/status (HTML status page), http://$ADMIN/failover (JSON)"

say "the real Python client writes and reads orders through the proxy, one line a second; demo-a dies after a few seconds"
note "(one client object for the whole run, like an application; it re-queries the proxy on its own after repeated timeouts)"
python3 integration/e2e/pyclient_timeline.py --meta "$PROXY" --table orders \
  --cluster "demo-a=$A_REPLICAS" --cluster "demo-b=$B_REPLICAS" \
  --seconds "${DEMO_TIMELINE_SECONDS:-45}" --stop-after-on demo-b:3 > "$LOG/timeline.txt" 2>"$LOG/timeline.err" &
timeline_pid=$!; pids+=($timeline_pid)
shown=0
show_timeline() {
  local n; n=$(grep -c '' "$LOG/timeline.txt" || true)
  if [ "$n" -gt "$shown" ]; then sed -n "$((shown + 1)),${n}p" "$LOG/timeline.txt" | grep -v '^summary '; shown=$n; fi
}
for _ in $(seq 1 300); do
  show_timeline
  [ "$(head -n "$shown" "$LOG/timeline.txt" | grep -c 'answered by demo-a' || true)" -ge 3 ] && break
  sleep 0.1
done
printf '  \033[1m>>> %s: killing demo-a (all its MetaServers and ReplicaServers: control /kill-all)\033[0m\n' "$(date +%T)"
ctl "$A_CONTROL" "/kill-all"
while kill -0 "$timeline_pid" 2>/dev/null; do show_timeline; sleep 0.2; done
wait "$timeline_pid" || true
show_timeline
summary=$(sed -n 's/^summary //p' "$LOG/timeline.txt")
echo "client totals: $summary"
python3 - "$summary" <<'PY'
import json, sys
s = json.loads(sys.argv[1] or "{}")
by = s.get("by_cluster", {})
if not (s.get("init") and by.get("demo-a") and by.get("demo-b")):
    sys.exit("the client did not get answers from demo-a and then demo-b: %s" % s)
PY

curl -sf "http://$ADMIN/status" > "$LOG/status.html" && note "status page saved: $LOG/status.html"
say "meta-proxy failover status orders   (the decision and its reason)"
zkcmd failover status orders --policies "$POLICIES"
curl -s "http://$ADMIN/metrics" | grep -E '^metaproxy_(cluster_up|failover_active_backup|failover_decisions_total)'
say "meta-proxy status   (the fleet: every instance under the root, and the tables routed off their primary)"
zkcmd status

say "demo-a comes back (control /revive-all)"
ctl "$A_CONTROL" "/revive-all"
up() { curl -s "http://$ADMIN/metrics" | grep -qE '^metaproxy_cluster_up\{[^}]*cluster="demo-a"[^}]*\} 1'; }
for _ in $(seq 1 600); do up && break; sleep 0.2; done
if up; then
  echo "demo-a is UP again; orders stays on demo-b (kind auto-failover never fails back by itself)"
else
  echo "demo-a not seen UP within 120 s; the prober's view:"
  curl -s "http://$ADMIN/metrics" | grep -E '^metaproxy_(cluster_up|probe)' | head -20
fi

say "meta-proxy failover back orders   (guarded: demo-a must be UP and demo-b -> demo-a duplication must pass)"
YES=()
"$BIN/meta-proxy" failover back --help 2>&1 | grep -q -- '--yes' && YES=(--yes)
back_ok=0
for _ in $(seq 1 30); do
  if "$BIN/meta-proxy" failover back orders "${YES[@]}" --policies "$POLICIES" "${ZKARGS[@]}" > "$LOG/back.txt" 2>&1; then back_ok=1; break; fi
  sleep 1   # the decider publishes demo-a's health every probe round: retry until it shows UP
done
cat "$LOG/back.txt"
[ "$back_ok" = 1 ] || { echo "failover back failed"; exit 1; }
for _ in $(seq 1 100); do "$BIN/meta-proxy" query orders --meta "$PROXY" 2>/dev/null | grep -q ' app_id: 1 ' && break; sleep 0.1; done
say "meta-proxy query orders --meta $PROXY   (demo-a again: app_id 1; demo-b's orders is app_id 100)"
"$BIN/meta-proxy" query orders --meta "$PROXY" | head -3

say "stopping (SIGTERM: meta-proxy drains and exits 0)"
kill -TERM "$proxy_pid"; wait "$proxy_pid" && echo "meta-proxy exited 0"
echo "logs: $LOG"
