"""meta-proxy as a process: startup (bad config, effective config, readiness), admin endpoints, SIGTERM drain."""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import uuid

import pytest

import wire
from conftest import ROOT, _bin, free_port, free_ports, http_get, meta_proxy, wait_for


def _zk_args(zk, zk_root):
    return ["--zk", zk, "--zk-root", zk_root]


@pytest.mark.parametrize("yaml,key", [
    ("server:\n  max_connections: lots\nzookeeper:\n  address: [127.0.0.1:2181]\n", "server.max_connections"),
    ("server:\n  listen: 127.0.0.1:0\n  no_such_key: 1\nzookeeper:\n  address: [127.0.0.1:2181]\n", "server.no_such_key"),
    ("zookeeper:\n  address: [127.0.0.1:2181]\n  timeout: -5\n", "zookeeper.timeout"),
])
def test_bad_config_fails_startup_naming_key_and_file(tmp_path, yaml, key):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml)
    r = subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "serve", "--config", str(config)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert str(config) in r.stderr and key in r.stderr, r.stderr


def test_startup_logs_effective_config(proxy_ab, zk, zk_root):
    proxy, _, _ = proxy_ab
    logs = proxy.logs()
    start = next(line for line in logs.splitlines() if "Starting meta-proxy" in line)
    for expected in ("config.server.listen=%s" % proxy.addr, "config.server.admin_listen=%s" % proxy.admin,
                     "config.route_source=zookeeper", "config.zookeeper.address=%s" % zk,
                     "config.zookeeper.root=%s" % zk_root, "config.meta.timeout=3000ms",
                     "config.server.max_connections=10000", "config.zookeeper.table_watcher_cache_capacity=50000"):
        assert expected in start, (expected, start)


@pytest.fixture
def proxy_ab(sims, proxies, zk, zk_root):
    a = sims("cA", "t1:8,shared:4")
    b = sims("cB", "t2:4,shared:4", extra=["--app-id-base", "100"])
    zargs = _zk_args(zk, zk_root)
    meta_proxy("route", "set", "t1", "--cluster", "cA", "--meta", ",".join(a.metas), *zargs)
    meta_proxy("route", "set", "t2", "--cluster", "cB", "--meta", ",".join(b.metas), *zargs)
    meta_proxy("route", "set", "shared", "--cluster", "cA", "--meta", ",".join(a.metas),
               "--backup", "cB=" + ",".join(b.metas), *zargs)
    return proxies(*zargs), a, b


def test_metrics_names_present(proxy_ab):
    proxy, a, b = proxy_ab
    assert wire.query(proxy.addr, "t1")[3]["err"] == "ERR_OK"
    assert wire.query(proxy.addr, "no_such_table")[3]["err"] == "ERR_OBJECT_NOT_FOUND"
    # Upstream error: cluster B's first meta (the leader) is dead; meta 1 leads now.
    b.ctl("/kill?meta=0")
    b.ctl("/leader?index=1")
    assert wire.query(proxy.addr, "t2")[3]["err"] == "ERR_OK"
    # Coalesced: identical queries in flight on one connection while A answers slowly.
    a.ctl("/latency?ms=500")
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(b"".join(wire.query_v0("shared", i) for i in range(20)))
        for _ in range(20):
            assert wire.read_reply(s)[0] == "ERR_OK"
    # Bad frame.
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as bad:
        bad.sendall(b"NOT-A-THFT-FRAME" * 4)
        assert bad.recv(100) == b""
    m = wait_for(lambda: (lambda t: t if "metaproxy_bad_frames_total 1" in t else None)(proxy.metrics()),
                 what="bad frame counted")
    for name in ("client_connection_count", 'client_query_config_count{table="t1"}',
                 'zk_request_count{table="t1"}', 'zk_request_count{table="_unknown"}',
                 "metaproxy_request_duration_seconds_bucket", "metaproxy_request_duration_seconds_count",
                 'metaproxy_upstream_duration_seconds_bucket{cluster="cA"',
                 'metaproxy_upstream_errors_total{cluster="cB",meta="%s"' % b.metas[0],
                 'metaproxy_coalesced_requests_total{cluster="cA"}', 'metaproxy_upstream_requests_total{cluster="cA"}',
                 "metaproxy_rejected_connections_total 0", "metaproxy_bad_frames_total 1",
                 'metaproxy_replies_total{result="unknown_table"}'):
        assert name in m, name
    assert "no_such_table" not in m  # a client's name without a route is no label value


def test_routes_json(proxy_ab):
    proxy, a, b = proxy_ab
    for table in ("t1", "shared"):
        assert wire.query(proxy.addr, table)[3]["err"] == "ERR_OK"
    status, body = http_get(proxy.admin, "/routes")
    assert status == 200
    doc = json.loads(body)
    assert doc["source"].startswith("zookeeper ") and doc["count"] == 2
    routes = {r["table"]: r for r in doc["routes"]}
    assert routes["t1"] == {"table": "t1", "cluster": "cA", "meta_addrs": a.metas, "backups": [], "active": "cA"}
    assert routes["shared"]["backups"] == [{"cluster": "cB", "meta_addrs": b.metas}]
    assert routes["shared"]["active"] == "cA"


def test_sigterm_drains_in_flight_queries_and_exits_zero(proxy_ab):
    proxy, a, _ = proxy_ab
    assert wire.query(proxy.addr, "t1")[3]["err"] == "ERR_OK"  # route cached, upstream connected
    a.ctl("/latency?ms=1500")
    before = a.query_count()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as s:
        s.sendall(b"".join(wire.query_v0("t1", 100 + i) for i in range(5)))
        wait_for(lambda: a.query_count() > before, what="queries in flight at the MetaServer")
        proxy.proc.send_signal(signal.SIGTERM)
        seqids = []
        for _ in range(5):
            err, _, seqid, body = wire.read_reply(s)
            assert err == "ERR_OK" and wire.parse_query_cfg(body)["app_id"] == a.tables["t1"]["app_id"]
            seqids.append(seqid)
        assert sorted(seqids) == [100, 101, 102, 103, 104]
        s.settimeout(20)
        assert s.recv(100) == b""  # closed after the last reply
    assert proxy.proc.wait(30) == 0
    assert "Proxy stopped" in proxy.logs()


def test_readyz_false_until_zookeeper_reachable_then_degraded_not_false(sims, tmp_path):
    port, admin_port, listen_port = free_ports(3)
    zk_addr = "127.0.0.1:%d" % port
    zk_dir = tempfile.mkdtemp(prefix="meta-proxy-e2e-zk-")
    zk_sh = os.path.join(ROOT, "scripts", "zk.sh")
    admin = "127.0.0.1:%d" % admin_port
    listen = "127.0.0.1:%d" % listen_port
    root = "/e2e-%s" % uuid.uuid4().hex[:10]
    log = open(str(tmp_path / "proxy.log"), "wb")
    proc = subprocess.Popen([_bin("META_PROXY_BIN", "meta-proxy"), "serve", "--listen", listen, "--admin-listen", admin,
                             "--zk", zk_addr, "--zk-root", root], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: http_get(admin, "/readyz", 1)[0] == 503, timeout=60, what="/readyz 503 without ZooKeeper")
        assert http_get(admin, "/healthz")[0] == 200
        assert proc.poll() is None
        assert wire.query(listen, "t1")[3]["err"] == "ERR_ZOOKEEPER_OPERATION"

        # Output to a file, not a pipe: the server the script leaves running inherits its descriptors.
        with open(str(tmp_path / "zk-start.log"), "wb") as out:
            subprocess.run([zk_sh, "start", str(port), zk_dir], check=True, stdout=out, stderr=subprocess.STDOUT,
                           timeout=180)
        wait_for(lambda: http_get(admin, "/readyz", 1)[0] == 200, timeout=60, what="/readyz 200 with ZooKeeper")
        a = sims("cA", "t1:4")
        meta_proxy("route", "set", "t1", "--cluster", "cA", "--meta", ",".join(a.metas), "--zk", zk_addr,
                   "--zk-root", root)
        assert wire.query(listen, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]
        assert http_get(admin, "/readyz/strict")[0] == 200

        # ZooKeeper down after the first load: still ready (degraded, cached routes serve); strict is not.
        subprocess.run([zk_sh, "stop", zk_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        wait_for(lambda: http_get(admin, "/readyz/strict", 1)[0] == 503, timeout=60, what="/readyz/strict 503")
        assert http_get(admin, "/readyz?strict=1")[0] == 503
        status, body = http_get(admin, "/readyz")
        assert status == 200 and body.startswith("degraded: zookeeper unreachable"), (status, body)
        assert re.search(r"^metaproxy_route_source_degraded(\{[^}]*\})? 1(\.0)?$", http_get(admin, "/metrics")[1], re.M)
        assert wire.query(listen, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        subprocess.run([zk_sh, "stop", zk_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
