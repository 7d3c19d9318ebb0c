"""Client-side budgets of a meta-proxy process (routes file, one pegasus-sim cluster), loopback only.

What one connection or many connections can make the proxy hold: replies a client does not read
(server.max_unwritten_reply_bytes, per connection), request bytes read and not yet served
(server.max_buffered_request_bytes, all connections together), and an incomplete frame
(server.frame_timeout). Each test drives past the budget and checks the proxy's memory (VmRSS from
/proc/<pid>/status), its counters and a bystander client."""
import socket
import struct
import threading
import time

import pytest

import wire
from conftest import Proxy, Sim, wait_for
from test_hostile import Bystander, assert_closed, connect, header_v0, metric, rss_kib, send_quietly
from test_rdsn import rdsn_query

TABLE = "t1"  # the bystander's table (test_hostile's helpers ask for it)
BIG = "big"  # 256 partitions x 3 replicas: a reply of about 19 KB
PIPELINED = 20000
FRAME_TIMEOUT = 2
BUFFER_BUDGET = 8 << 20
MiB = 1024


def start_proxy(tmp_path, sim, **server):
    routes = tmp_path / "routes.yaml"
    metas = ", ".join('"%s"' % m for m in sim.metas)
    routes.write_text("tables:\n  %s: { cluster: %s, meta_addrs: [%s] }\n  %s: { cluster: %s, meta_addrs: [%s] }\n"
                      % (TABLE, sim.name, metas, BIG, sim.name, metas))
    config = tmp_path / "proxy.yaml"
    config.write_text("server:\n%s\nroutes_file: %s\n"
                      % ("\n".join("  %s: %s" % kv for kv in server.items()), routes))
    return Proxy(["--config", str(config)])


@pytest.fixture(scope="module")
def sim():
    s = Sim("budgetC", "%s:4,%s:256" % (TABLE, BIG), metas=1, replicas=3)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def proxy(sim, tmp_path_factory):
    p = start_proxy(tmp_path_factory.mktemp("budgets"), sim, frame_timeout=FRAME_TIMEOUT,
                    max_buffered_request_bytes=BUFFER_BUDGET)
    yield p
    p.stop()


def warm(proxy):
    """Route and upstream connections loaded for both tables, so the baseline RSS includes them."""
    for seqid, table in enumerate([TABLE, BIG], 1):
        err, _, got, body = wire.query(proxy.addr, table, seqid=seqid)
        assert (err, got, body["err"]) == ("ERR_OK", seqid, "ERR_OK"), body


def pipeline_without_reading(proxy, requests, seconds=8.0):
    """A client that sends `requests` (bytes) as fast as the proxy takes them and never reads a reply;
    returns its socket (open) once everything is sent or `seconds` passed."""
    s = connect(proxy)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    s.settimeout(0.5)
    view, deadline = memoryview(requests), time.time() + seconds
    while view and time.time() < deadline:
        try:
            view = view[s.send(view[:1 << 20]):]
        except socket.timeout:
            pass  # the proxy stopped reading: back-pressure
    return s


@pytest.mark.parametrize("fmt", ["thft", "rdsn"])
def test_client_that_never_reads_its_replies_is_bounded(proxy, fmt):
    """20,000 pipelined queries for a 256-partition table (about 380 MB of replies), none read: the proxy
    stops reading the client once its unwritten replies pass max_unwritten_reply_bytes (4 MiB by default)
    and the queries in flight are answered; RSS grew by 221 MiB with one such client before."""
    warm(proxy)
    if fmt == "thft":
        requests = b"".join(wire.query_v0(BIG, i) for i in range(1, PIPELINED + 1))
    else:
        requests = b"".join(rdsn_query(BIG, i) for i in range(1, PIPELINED + 1))
    before = rss_kib(proxy)
    bystander = Bystander(proxy)
    hog = pipeline_without_reading(proxy, requests)
    time.sleep(2)  # whatever the proxy still does for the hog, it does now
    grown = rss_kib(proxy) - before
    bystander.stop(min_answers=5)
    print("%s client not reading %d pipelined queries: VmRSS %d KiB -> +%d KiB" % (fmt, PIPELINED, before, grown))
    assert grown < 96 * MiB, "RSS grew by %d KiB for one client that does not read" % grown
    # The hog is still served: it reads now and gets replies.
    hog.settimeout(10)
    err, _, _, _ = wire.read_reply(hog) if fmt == "thft" else ("ERR_OK", None, None, None)
    assert err == "ERR_OK"
    hog.close()
    assert proxy.proc.poll() is None


def almost_complete(fmt, body):
    """The bytes of a frame with a `body`-byte body, all but its last byte."""
    if fmt == "thft":
        return header_v0(body) + b"p" * (body - 1)
    header = bytearray(rdsn_query(TABLE, 1)[:192])
    struct.pack_into("<I", header, 16, body)
    return bytes(header) + b"p" * (body - 1)


@pytest.mark.parametrize("fmt", ["thft", "rdsn"])
def test_many_almost_complete_frames_are_bounded_in_aggregate(proxy, fmt):
    """60 connections each 1 byte short of a 1 MiB frame (60 MiB held before): beyond
    max_buffered_request_bytes (8 MiB here) a connection asking for more is closed and counted."""
    warm(proxy)
    before = rss_kib(proxy)
    exhausted = metric(proxy, "metaproxy_request_buffer_exhausted_total")
    bystander = Bystander(proxy)
    frame = almost_complete(fmt, (1 << 20) - 256)
    socks = []
    for _ in range(60):
        s = connect(proxy, timeout=10)
        send_quietly(s, frame)
        socks.append(s)
    wait_for(lambda: metric(proxy, "metaproxy_request_buffer_exhausted_total") >= exhausted + 40,
             timeout=30, what="connections over the request buffer budget closed and counted")
    grown = rss_kib(proxy) - before
    wait_for(lambda: bystander.answers >= 5, timeout=20, what="bystander answered meanwhile")
    bystander.stop(min_answers=5)
    print("%s: 60 almost complete frames: VmRSS +%d KiB, %d closed over the budget"
          % (fmt, grown, metric(proxy, "metaproxy_request_buffer_exhausted_total") - exhausted))
    assert grown < 40 * MiB, "RSS grew by %d KiB for 60 almost complete frames" % grown
    for s in socks:
        s.close()


@pytest.mark.parametrize("fmt", ["thft", "rdsn"])
def test_trickled_frame_is_closed_after_frame_timeout(proxy, fmt):
    """One byte of a frame every 0.4 s keeps the idle timer (600 s) going, but not the frame timeout."""
    frame = wire.query_v0(TABLE, 41) if fmt == "thft" else rdsn_query(TABLE, 41)
    timeouts = metric(proxy, "metaproxy_frame_timeouts_total")
    start = time.time()
    with connect(proxy, timeout=10) as slow:
        for i in range(len(frame) - 1):
            try:
                slow.sendall(frame[i:i + 1])
            except OSError:
                break
            if time.time() - start > FRAME_TIMEOUT + 3:
                break
            time.sleep(0.4)
        assert_closed(slow, timeout=10)
    assert time.time() - start < FRAME_TIMEOUT + 8
    wait_for(lambda: metric(proxy, "metaproxy_frame_timeouts_total") > timeouts, timeout=10, what="frame timeout counted")
