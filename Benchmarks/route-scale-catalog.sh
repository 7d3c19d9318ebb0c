#!/usr/bin/env bash
# Route scale, failover catalog side (issue #16 goal 3): what one meta-proxy instance costs at start
# and at idle when its ZooKeeper root holds many route nodes it never routes.
#
# For each size N (default 10000 and 100000): a root with N route nodes without backups plus
# PROTECTED (default 1000) routes with backups and their protected-table index entries (as
# `meta-proxy route set` writes them). Then, for each binary given, one instance is started on that
# root (no client traffic) and measured:
#   startup   seconds from exec until GET /failover lists every protected table (catalog loaded)
#   cpu_start CPU seconds used until then
#   rss       idle RSS (MiB) after IDLE seconds
#   idle_cpu  CPU % over the IDLE seconds after startup
#   watches   ZooKeeper watches the instance holds (mntr zk_watch_count, data and child watches: the
#             instance is the only session on the server)
#   requests  ZooKeeper requests the server received until the catalog was loaded, and until the end
#             of the idle window (mntr zk_packets_received deltas; the only client on the server)
#
#   Benchmarks/route-scale-catalog.sh OUT_DIR NAME=BIN [NAME=BIN ...]
# e.g.  Benchmarks/route-scale-catalog.sh Benchmarks/results/catalog main=/tmp/meta-proxy-main \
#           catalog=.build/debug/meta-proxy
# Environment: SIZES="10000 100000", PROTECTED=1000, IDLE=20, PYTHON (with kazoo; default python3).
set -euo pipefail
OUT=$1
shift
SIZES=${SIZES:-"10000 100000"}
PROTECTED=${PROTECTED:-1000}
IDLE=${IDLE:-20}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/route-scale-catalog.XXXXXX)
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$OUT"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
four() {
  python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30); s.sendall(sys.argv[2].encode())
out = b""
while True:
    chunk = s.recv(65536)
    if not chunk: break
    out += chunk
sys.stdout.write(out.decode())' "$ZK_PORT" "$1"
}
packets() { four mntr | awk '$1 == "zk_packets_received" {print $2}'; }

ZK_PORT=$(free_port)
"$HERE/scripts/zk.sh" start "$ZK_PORT" "$WORK/zk" > /dev/null
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  "$HERE/scripts/zk.sh" stop "$WORK/zk" > /dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

RESULTS="$OUT/route-scale-catalog.tsv"
printf 'nodes\tprotected\tbinary\tstartup_s\tcpu_start_s\trss_mib\tidle_cpu_pct\twatches\tzk_requests_at_load\tzk_requests_total\tload_avg\n' > "$RESULTS"

for N in $SIZES; do
  ROOT=/bench-$N
  echo "== populating $ROOT: $N route nodes without backups + $PROTECTED with backups" >&2
  "$PYTHON" - "127.0.0.1:$ZK_PORT" "$ROOT" "$N" "$PROTECTED" <<'PY'
import sys
from kazoo.client import KazooClient
hosts, root, n, protected = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
zk = KazooClient(hosts=hosts, timeout=30)
zk.start()
zk.ensure_path(root + "/.meta-proxy/protected")
plain = b'{"cluster":"a","meta-addrs":["127.0.0.1:1"]}'
backed = b'{"cluster":"a","meta-addrs":["127.0.0.1:1"],"backups":[{"cluster":"b","meta-addrs":["127.0.0.1:2"]}]}'
def run(paths):
    # 1,000 creates per multi-op (one transaction, one log sync), 8 multi-ops in flight.
    pending, batch = [], None
    for count, (path, data) in enumerate(paths):
        if batch is None:
            batch = zk.transaction()
        batch.create(path, data)
        if count % 1000 == 999:
            pending.append(batch.commit_async())
            batch = None
        if len(pending) >= 8:
            for p in pending: p.get()
            pending = []
    if batch is not None:
        pending.append(batch.commit_async())
    for p in pending: p.get()
run(("%s/raw%06d" % (root, i), plain) for i in range(n))
# Named to sort after the others: a catalog that reads every child reaches them last.
run(("%s/zprot%04d" % (root, i), backed) for i in range(protected))
run(("%s/.meta-proxy/protected/zprot%04d" % (root, i), b"") for i in range(protected))
zk.stop()
PY
  for spec in "$@"; do
    NAME=${spec%%=*}
    BIN=${spec#*=}
    PORT=$(free_port)
    ADMIN=$(free_port)
    mkdir -p "$WORK/policies"
    cat > "$WORK/config.yaml" <<CFG
server:    { listen: 127.0.0.1:$PORT, admin_listen: 127.0.0.1:$ADMIN }
zookeeper: { address: [127.0.0.1:$ZK_PORT], root: $ROOT, timeout: 10000 }
failover:  { policies_dir: $WORK/policies }
log:       { level: warning }
CFG
    before=$(packets)
    start=$(date +%s.%N)
    "$BIN" serve --config "$WORK/config.yaml" > "$WORK/$NAME-$N.log" 2>&1 &
    PID=$!
    loaded=
    for _ in $(seq 1 6000); do
      count=$(curl -fsS "http://127.0.0.1:$ADMIN/failover" 2>/dev/null \
        | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("protected_tables", [])))' 2>/dev/null || echo 0)
      if [ "$count" -ge "$PROTECTED" ]; then loaded=$(date +%s.%N); break; fi
      sleep 0.1
    done
    [ -n "$loaded" ] || { echo "$NAME at $N: catalog never loaded" >&2; loaded=$(date +%s.%N); }
    startup=$(python3 -c "print('%.2f' % ($loaded - $start))")
    ticks_start=$(cpu_ticks "$PID")
    requests=$(($(packets) - before))
    # Reads that follow the decider's first tick (failover nodes of the protected tables) land here too.
    sleep 2
    t0=$(cpu_ticks "$PID")
    sleep "$IDLE"
    t1=$(cpu_ticks "$PID")
    requests_total=$(($(packets) - before))
    rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status")
    idle_cpu=$(python3 -c "print('%.1f' % (100.0 * ($t1 - $t0) / $CLK_TCK / $IDLE))")
    cpu_start=$(python3 -c "print('%.1f' % ($ticks_start / $CLK_TCK))")
    watches=$(four mntr | awk '$1 == "zk_watch_count" {print $2}')
    load=$(cut -d' ' -f1 /proc/loadavg)
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$PROTECTED" "$NAME" "$startup" "$cpu_start" "$rss" \
      "$idle_cpu" "$watches" "$requests" "$requests_total" "$load" | tee -a "$RESULTS"
    sleep 3  # let the session's watches go before the next instance
  done
done
echo "results: $RESULTS" >&2
