#!/usr/bin/env bash
# The local demo: two simulated Pegasus clusters, meta-proxy in front of them (routes-file source),
# and real queries through the proxy: `meta-proxy query` and the real Python client (pypegasus3)
# doing set/get/remove. Everything on 127.0.0.1; everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  say "installing packages (libzookeeper-mt-dev, libcurl4-openssl-dev, zookeeper, pypegasus3)"
  scripts/install-deps.sh
fi
say "building release binaries"
scripts/build-release.sh meta-proxy pegasus-sim
BIN=.build/release

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
LOG=$(mktemp -d /tmp/meta-proxy-demo.XXXXXX)

say "starting simulated clusters demo-a (orders, users) and demo-b (orders backup, metrics)"
"$BIN/pegasus-sim" --cluster demo-a --metas 3 --tables orders:8,users:4 --base-port 34701 --leader 1 > "$LOG/demo-a.json" 2> "$LOG/demo-a.log" &
pids+=($!)
"$BIN/pegasus-sim" --cluster demo-b --metas 3 --tables orders:8,metrics:4 --base-port 34801 --app-id-base 100 > "$LOG/demo-b.json" 2> "$LOG/demo-b.log" &
pids+=($!)
for f in "$LOG/demo-a.json" "$LOG/demo-b.json"; do
  for _ in $(seq 1 100); do [ -s "$f" ] && break; sleep 0.1; done
  head -1 "$f"
done

say "starting meta-proxy on 127.0.0.1:34601 (admin 127.0.0.1:34602) with examples/demo/meta-proxy.yaml"
"$BIN/meta-proxy" serve --config examples/demo/meta-proxy.yaml > "$LOG/meta-proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:34602/readyz >/dev/null 2>&1 && break; sleep 0.1; done
head -3 "$LOG/meta-proxy.log"

say "meta-proxy query orders --meta 127.0.0.1:34601   (routed to demo-a, whose leader is its 2nd meta)"
"$BIN/meta-proxy" query orders --meta 127.0.0.1:34601
say "meta-proxy query metrics --meta 127.0.0.1:34601  (routed to demo-b)"
"$BIN/meta-proxy" query metrics --meta 127.0.0.1:34601
say "meta-proxy query no_such_table                   (unknown table: ERR_OBJECT_NOT_FOUND, fast)"
"$BIN/meta-proxy" query no_such_table --meta 127.0.0.1:34601 || true

say "the real Pegasus Python client (pypegasus3), given only the proxy's address: set/get/remove"
( cd "$LOG" && python3 "$OLDPWD/integration/e2e/pyclient_ops.py" --meta 127.0.0.1:34601 --table orders --table metrics --tag demo ) | python3 -m json.tool

say "GET /routes and a few metrics from the admin endpoint"
curl -s http://127.0.0.1:34602/routes | head -40
curl -s http://127.0.0.1:34602/metrics | grep -E '^(client_query_config_count|client_connection_count|metaproxy_replies_total|metaproxy_upstream_requests_total)' | head -12

say "stopping (SIGTERM: meta-proxy drains and exits 0)"
kill -TERM "${pids[2]}"; wait "${pids[2]}" && echo "meta-proxy exited 0"
echo "logs: $LOG"
