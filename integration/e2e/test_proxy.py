"""meta-proxy as a process in front of two simulated clusters, routes in a real ZooKeeper."""
import os
import socket
import struct
import threading
import time

import pytest

import wire
from conftest import meta_proxy, pyclient, wait_for


@pytest.fixture
def two_clusters(sims, zk, zk_root):
    a = sims("clusterA", "t1:8,shared:4")
    b = sims("clusterB", "t2:4,shared:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas), "--zk", zk, "--zk-root", zk_root)
    meta_proxy("route", "set", "t2", "--cluster", "clusterB", "--meta", ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    meta_proxy("route", "set", "shared", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    return a, b


@pytest.fixture
def proxy(proxies, zk, zk_root, two_clusters):
    return proxies("--zk", zk, "--zk-root", zk_root)


def test_real_python_client_through_proxy(proxy, two_clusters):
    a, b = two_clusters
    res = pyclient(proxy.addr, ["t1", "t2"])
    assert res["t1"].get("init") and res["t2"].get("init"), res
    assert res["t1"]["app_id"] == a.tables["t1"]["app_id"]
    assert res["t2"]["app_id"] == b.tables["t2"]["app_id"]
    assert set(res["t1"]["primaries"]) <= {int(r.split(":")[1]) for r in a.replicas}
    assert set(res["t2"]["primaries"]) <= {int(r.split(":")[1]) for r in b.replicas}
    for t in ("t1", "t2"):
        assert res[t]["set"] == 0 and res[t]["get"] == [0, "v-%s-x" % t] and res[t]["remove"] == 0, res[t]


@pytest.mark.parametrize("version", [0, 1])
def test_raw_v0_v1_queries_echo_seqid(proxy, two_clusters, version):
    a, _ = two_clusters
    err, name, seqid, body = wire.query(proxy.addr, "t1", seqid=4242, version=version)
    assert (err, name, seqid) == ("ERR_OK", "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK", 4242)
    assert body["err"] == "ERR_OK" and body["app_id"] == a.tables["t1"]["app_id"]
    assert body["partition_count"] == 8 and len(body["partitions"]) == 8


def test_unknown_table_gets_object_not_found(proxy):
    err, name, seqid, body = wire.query(proxy.addr, "no_such_table", seqid=7)
    assert (err, seqid) == ("ERR_OK", 7)
    assert body["err"] == "ERR_OBJECT_NOT_FOUND"
    assert body["partitions"] == []


def test_unknown_rpc_gets_handler_not_found_and_connection_stays_usable(proxy):
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
        body = struct.pack(">I", 0x80010001) + struct.pack(">i", 17) + b"RPC_CM_LIST_NODES" + struct.pack(">i", 77) + b"\x0c\x00\x01\x00\x00"
        s.sendall(wire.frame_v0(body))
        err, name, seqid, rest = wire.read_reply(s)
        assert (err, name, seqid, rest) == ("ERR_HANDLER_NOT_FOUND", "RPC_CM_LIST_NODES_ACK", 77, b"")
        s.sendall(wire.query_v0("t1", 78))
        err, name, seqid, body = wire.read_reply(s)
        assert (err, seqid) == ("ERR_OK", 78) and wire.parse_query_cfg(body)["err"] == "ERR_OK"


def test_garbage_closes_only_that_connection(proxy):
    good = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    bad = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
    bad.sendall(b"GARBAGE-NOT-A-FRAME" * 4)
    bad.settimeout(5)
    assert bad.recv(100) == b""  # closed by the proxy
    good.sendall(wire.query_v0("t2", 5))
    err, _, seqid, body = wire.read_reply(good)
    assert (err, seqid) == ("ERR_OK", 5) and wire.parse_query_cfg(body)["err"] == "ERR_OK"
    good.close()
    bad.close()
    assert "metaproxy_bad_frames_total" in proxy.metrics()


def test_pipelined_connections_all_matched_by_seqid(proxy, two_clusters):
    a, b = two_clusters
    expected = {"t1": a.tables["t1"]["app_id"], "t2": b.tables["t2"]["app_id"]}
    errors = []

    def one_conn(i):
        try:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as s:
                want = {}
                out = b""
                for j in range(50):
                    seq = i * 1000 + j
                    table = "t1" if (i + j) % 2 == 0 else "t2"
                    want[seq] = table
                    out += wire.query_v0(table, seq)
                s.sendall(out)
                for _ in range(50):
                    err, name, seqid, body = wire.read_reply(s)
                    table = want.pop(seqid)
                    cfg = wire.parse_query_cfg(body)
                    if err != "ERR_OK" or cfg["app_id"] != expected[table]:
                        errors.append((i, seqid, err, cfg.get("app_id")))
                if want:
                    errors.append((i, "missing", sorted(want)))
        except Exception as e:
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=one_conn, args=(i,)) for i in range(200)]
    for t in threads: t.start()
    for t in threads: t.join(60)
    assert not errors, errors[:10]


def test_route_switch_under_load_no_reply_from_old_cluster(proxy, two_clusters, zk, zk_root):
    a, b = two_clusters
    app_a, app_b = a.tables["shared"]["app_id"], b.tables["shared"]["app_id"]
    seen = []
    stop = threading.Event()

    def load():
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
            seq = 0
            while not stop.is_set():
                seq += 1
                s.sendall(wire.query_v0("shared", seq))
                err, _, sid, body = wire.read_reply(s)
                seen.append((time.time(), wire.parse_query_cfg(body)["app_id"]))

    t = threading.Thread(target=load)
    t.start()
    wait_for(lambda: len(seen) > 20, what="load running")
    assert all(app == app_a for _, app in seen)
    meta_proxy("route", "switch", "shared", "--cluster", "clusterB", "--meta", ",".join(b.metas),
               "--zk", zk, "--zk-root", zk_root)
    switched = wait_for(lambda: next((ts for ts, app in seen if app == app_b), None), what="switch seen")
    time.sleep(1.0)
    stop.set()
    t.join(10)
    after = [app for ts, app in seen if ts > switched]
    assert after and all(app == app_b for app in after), "replies from the old cluster after the switch"


def test_leader_switch_and_leader_kill(proxy, two_clusters):
    a, _ = two_clusters
    assert wire.query(proxy.addr, "t1")[3]["err"] == "ERR_OK"
    a.ctl("/leader?index=1")
    for i in range(5):
        assert wire.query(proxy.addr, "t1", seqid=i)[3]["err"] == "ERR_OK"
    a.ctl("/kill?meta=1")
    a.ctl("/leader?index=2")
    for i in range(5):
        err, _, _, body = wire.query(proxy.addr, "t1", seqid=i)
        assert err == "ERR_OK" and body["err"] == "ERR_OK", body


def test_all_metas_down_answers_timeout_not_hang(proxy, two_clusters):
    a, _ = two_clusters
    a.ctl("/kill-all")
    start = time.time()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(wire.query_v1("t1", 3, timeout=2000))
        err, name, seqid, body = wire.read_reply(s)
    assert (err, seqid, body) == ("ERR_TIMEOUT", 3, b"")
    assert time.time() - start < 9


def test_routes_file_source(sims, proxies, tmp_path):
    a = sims("fileA", "t9:4")
    routes = tmp_path / "routes.yaml"
    routes.write_text("tables:\n  t9: { cluster: fileA, meta_addrs: [%s] }\n" % ", ".join('"%s"' % m for m in a.metas))
    p = proxies("--routes", str(routes))
    err, _, _, body = wire.query(p.addr, "t9")
    assert body["err"] == "ERR_OK" and body["app_id"] == a.tables["t9"]["app_id"]
    assert wire.query(p.addr, "t1")[3]["err"] == "ERR_OBJECT_NOT_FOUND"


def test_metrics_and_admin_endpoints(proxy, two_clusters):
    wire.query(proxy.addr, "t1")
    from conftest import http_get
    m = proxy.metrics()
    assert 'client_query_config_count{table="t1"}' in m
    assert "client_connection_count" in m
    assert http_get(proxy.admin, "/healthz")[0] == 200
    status, routes = http_get(proxy.admin, "/routes")
    assert status == 200 and "clusterA" in routes


def test_sigterm_exits_zero(proxy):
    assert proxy.stop(sig_term=True) == 0
