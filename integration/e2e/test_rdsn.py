"""RDSN (the C++ client's and shell's native frames) through meta-proxy, next to THFT."""
import json
import os
import socket
import struct
import sys
import threading

import pytest

import wire
from conftest import meta_proxy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import rdsn_crc_check  # noqa: E402  (the independent CRC-32C of integration/tools)


def name48(text):
    b = text.encode()
    return b + b"\x00" * (48 - len(b))


def rdsn_query(table, req_id, timeout_ms=5000):
    """A C++-client-style query_config request (docs/protocol.md), CRCs left 0 (rDSN's default)."""
    body = b"\x0c\x00\x00" + b"\x0b\x00\x01" + struct.pack(">i", len(table)) + table.encode() \
        + b"\x0f\x00\x02\x08" + struct.pack(">i", 0) + b"\x00" + b"\x00"
    header = b"RDSN" + struct.pack("<III", 0, 192, 0) + struct.pack("<II", len(body), 0) \
        + struct.pack("<QQ", req_id, 0) + name48("RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX") \
        + b"\x00" * 8 + b"\x00" * 8 + struct.pack("<Q", 0x441) + b"\x00" * 8 \
        + struct.pack("<iiQ", timeout_ms, 0, 0) + b"\x00" * 48 + b"\x00" * 8
    assert len(header) == 192
    return header + body


def with_crcs(frame):
    """The frame with the CRCs rDSN writes when rpc_message_crc_required is set, computed in Python."""
    out = bytearray(frame)
    struct.pack_into("<I", out, 12, 0)
    struct.pack_into("<I", out, 20, rdsn_crc_check.crc32c(frame[192:]))
    struct.pack_into("<I", out, 12, rdsn_crc_check.crc32c(bytes(out[:192])))
    return bytes(out)


def read_rdsn_raw(sock):
    header = wire.recv_exact(sock, 192)
    assert header[:4] == b"RDSN", header[:4]
    return header, wire.recv_exact(sock, struct.unpack_from("<I", header, 16)[0])


def read_rdsn(sock):
    header, body = read_rdsn_raw(sock)
    body_len = struct.unpack_from("<I", header, 16)[0]
    req_id = struct.unpack_from("<Q", header, 24)[0]
    name = header[40:88].rstrip(b"\x00").decode()
    context = struct.unpack_from("<Q", header, 104)[0]
    err = header[136:184].rstrip(b"\x00").decode()
    assert len(body) == body_len
    return req_id, name, err, context, body


@pytest.fixture
def routed(sims, proxies, zk, zk_root):
    a = sims("rdsnA", "t1:8")
    b = sims("rdsnB", "t2:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "rdsnA", "--meta", ",".join(a.metas), "--zk", zk, "--zk-root", zk_root)
    meta_proxy("route", "set", "t2", "--cluster", "rdsnB", "--meta", ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    return a, b, proxies("--zk", zk, "--zk-root", zk_root)


def test_query_cli_rdsn_through_proxy_to_both_clusters(routed):
    a, b, proxy = routed
    for table, sim in (("t1", a), ("t2", b)):
        out = json.loads(meta_proxy("query", table, "--meta", proxy.addr, "--format", "rdsn", "--json").stdout)
        assert out["err"] == "ERR_OK" and out["app_id"] == sim.tables[table]["app_id"], out
        assert len(out["partitions"]) == sim.tables[table]["partition_count"]
    r = meta_proxy("query", "nope", "--meta", proxy.addr, "--format", "rdsn", "--json", check=False)
    assert json.loads(r.stdout)["err"] == "ERR_OBJECT_NOT_FOUND"


def test_raw_rdsn_reply_header_and_pipelining(routed):
    a, _, proxy = routed
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(b"".join(rdsn_query("t1", 1000 + i) for i in range(20)))
        ids = set()
        for _ in range(20):
            req_id, name, err, context, body = read_rdsn(s)
            ids.add(req_id)
            assert (name, err) == ("RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK", "ERR_OK")
            assert context & 1 == 0  # a reply
            cfg = wire.parse_query_cfg(body)
            assert cfg["err"] == "ERR_OK" and cfg["app_id"] == a.tables["t1"]["app_id"]
        assert ids == set(range(1000, 1020))


def test_mixed_thft_and_rdsn_connections_under_load(routed):
    a, b, proxy = routed
    want = {"t1": a.tables["t1"]["app_id"], "t2": b.tables["t2"]["app_id"]}
    errors = []

    def thft(i):
        try:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as s:
                s.sendall(b"".join(wire.query_v0("t1" if j % 2 else "t2", j) for j in range(30)))
                for _ in range(30):
                    err, _, seqid, body = wire.read_reply(s)
                    if wire.parse_query_cfg(body)["app_id"] != want["t1" if seqid % 2 else "t2"]:
                        errors.append(("thft", i, seqid))
        except Exception as e:
            errors.append(("thft", i, repr(e)))

    def rdsn(i):
        try:
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as s:
                s.sendall(b"".join(rdsn_query("t1" if j % 2 else "t2", j) for j in range(30)))
                for _ in range(30):
                    req_id, _, err, _, body = read_rdsn(s)
                    if err != "ERR_OK" or wire.parse_query_cfg(body)["app_id"] != want["t1" if req_id % 2 else "t2"]:
                        errors.append(("rdsn", i, req_id, err))
        except Exception as e:
            errors.append(("rdsn", i, repr(e)))

    threads = [threading.Thread(target=f, args=(i,)) for i in range(50) for f in (thft, rdsn)]
    for t in threads: t.start()
    for t in threads: t.join(60)
    assert not errors, errors[:10]


def test_rdsn_truncation_waits_and_corruption_closes_only_that_connection(routed):
    a, _, proxy = routed
    frame = rdsn_query("t1", 77)
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as slow, \
            socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as bad:
        slow.sendall(frame[:100])          # a partial header: no reply, connection open
        bad.sendall(frame)
        assert read_rdsn(bad)[0] == 77
        corrupt = bytearray(rdsn_query("t1", 78))
        corrupt[0:4] = b"XDSN"             # a later frame with a bad magic
        bad.sendall(bytes(corrupt))
        bad.settimeout(5)
        assert bad.recv(10) == b""          # closed
        slow.sendall(frame[100:])          # the rest arrives: answered
        assert read_rdsn(slow)[0] == 77


def test_unknown_rpc_over_rdsn(routed):
    _, _, proxy = routed
    frame = bytearray(rdsn_query("t1", 5))
    frame[40:88] = name48("RPC_CM_LIST_NODES")
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(bytes(frame))
        req_id, name, err, _, body = read_rdsn(s)
        assert (req_id, name, err, body) == (5, "RPC_CM_LIST_NODES_ACK", "ERR_HANDLER_NOT_FOUND", b"")
        s.sendall(rdsn_query("t1", 6))
        assert read_rdsn(s)[2] == "ERR_OK"


def cli_json(table, meta, fmt):
    return json.loads(meta_proxy("query", table, "--meta", meta, "--format", fmt, "--json").stdout)


def test_query_cli_rdsn_against_the_sim_follows_the_leader_and_matches_thft(sims):
    sim = sims("rdsnSim", "t1:8,t2:4")
    leader = next(i for i, m in enumerate(sim.stats()["metas"]) if m["leader"])
    follower = sim.metas[(leader + 1) % len(sim.metas)]
    for table in ("t1", "t2"):
        rdsn = cli_json(table, follower, "rdsn")  # only a follower given: its answer names the leader
        assert rdsn["err"] == "ERR_OK" and rdsn["app_id"] == sim.tables[table]["app_id"], rdsn
        assert rdsn == cli_json(table, ",".join(sim.metas), "thft")
    plain = meta_proxy("query", "t1", "--meta", sim.metas[leader], "--format", "rdsn").stdout
    assert plain == meta_proxy("query", "t1", "--meta", sim.metas[leader]).stdout
    r = meta_proxy("query", "nope", "--meta", sim.metas[leader], "--format", "rdsn", check=False)
    assert r.returncode == 2 and "ERR_OBJECT_NOT_FOUND" in r.stdout


def test_query_cli_rdsn_and_thft_print_the_same_through_the_proxy(routed):
    _, _, proxy = routed
    for table in ("t1", "t2"):
        assert meta_proxy("query", table, "--meta", proxy.addr, "--format", "rdsn").stdout == \
            meta_proxy("query", table, "--meta", proxy.addr, "--format", "thft").stdout


def test_crcs_checked_with_python_and_bad_crc_closes_only_that_connection(routed):
    _, b, proxy = routed
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s, \
            socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as bad:
        s.sendall(with_crcs(rdsn_query("t2", 31)))
        header, body = read_rdsn_raw(s)
        hdr_crc, body_crc = struct.unpack_from("<I", header, 12)[0], struct.unpack_from("<I", header, 20)[0]
        assert body_crc == rdsn_crc_check.crc32c(body) != 0
        assert hdr_crc == rdsn_crc_check.crc32c(header[:12] + bytes(4) + header[16:]) != 0
        assert struct.unpack_from("<Q", header, 24)[0] == 31
        assert wire.parse_query_cfg(body)["app_id"] == b.tables["t2"]["app_id"]

        corrupt = bytearray(with_crcs(rdsn_query("t2", 32)))
        corrupt[-2] ^= 0xFF                 # body no longer matches body_crc32
        bad.sendall(bytes(corrupt))
        bad.settimeout(10)
        assert bad.recv(10) == b""          # closed without a reply
        s.sendall(rdsn_query("t2", 33))     # the other connection is fine
        assert read_rdsn(s)[:3] == (33, "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK", "ERR_OK")


def test_rdsn_requests_are_counted(routed):
    _, _, proxy = routed
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(b"".join(rdsn_query("t1", i) for i in range(7)))
        for _ in range(7):
            read_rdsn(s)
    counts = [line.split()[-1] for line in proxy.metrics().splitlines()
              if line.startswith("metaproxy_rdsn_requests_total")]
    assert counts and float(counts[0]) >= 7, counts
