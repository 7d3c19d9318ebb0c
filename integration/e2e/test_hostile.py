"""Hostile input against a meta-proxy process (routes file, one pegasus-sim cluster), loopback only.

Each test sends what a broken or malicious client could send and checks three things: the offending
connection gets the documented treatment (answered, or closed at once), the proxy's memory stays
bounded (VmRSS from /proc/<pid>/status), and other clients are served meanwhile. Every loop is bounded
in count and in time."""
import re
import resource
import selectors
import socket
import struct
import threading
import time

import pytest

import wire
from conftest import Proxy, Sim, wait_for

TABLE = "t1"
MAX_FRAME = 4096
IDLE_TIMEOUT = 2
FLOOD_LIMIT = 200
HALF_OPEN = 3000


def raise_fd_limit(needed):
    """Raises this process's soft fd limit (children started later inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft


def start_proxy(tmp_path, sim, name, **server):
    routes = tmp_path / ("%s-routes.yaml" % name)
    routes.write_text("tables:\n  %s: { cluster: %s, meta_addrs: [%s] }\n"
                      % (TABLE, sim.name, ", ".join('"%s"' % m for m in sim.metas)))
    config = tmp_path / ("%s.yaml" % name)
    config.write_text("server:\n%s\nroutes_file: %s\n"
                      % ("\n".join("  %s: %s" % kv for kv in server.items()), routes))
    return Proxy(["--config", str(config)])


@pytest.fixture(scope="module")
def sim():
    s = Sim("hostileC", "%s:4" % TABLE, metas=1, replicas=1)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def proxy(sim, tmp_path_factory):
    """max_frame_bytes 4096, idle_timeout 2 s, room for the half-open connections."""
    raise_fd_limit(2 * HALF_OPEN + 1024)
    p = start_proxy(tmp_path_factory.mktemp("hostile"), sim, "limits", max_frame_bytes=MAX_FRAME,
                    idle_timeout=IDLE_TIMEOUT, max_connections=2 * HALF_OPEN)
    yield p
    p.stop()


@pytest.fixture(scope="module")
def flood_proxy(sim, tmp_path_factory):
    """max_connections 200."""
    p = start_proxy(tmp_path_factory.mktemp("flood"), sim, "flood", max_connections=FLOOD_LIMIT)
    yield p
    p.stop()


# --- helpers ---------------------------------------------------------------------------------------

def rss_kib(proxy):
    with open("/proc/%d/status" % proxy.proc.pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def metric(proxy, name):
    m = re.search(r"^%s(?:\{[^}]*\})? (\S+)$" % re.escape(name), proxy.metrics(), re.M)
    return float(m.group(1)) if m else 0.0


def connect(proxy, timeout=5.0):
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)


def send_quietly(sock, data):
    """Sends what the proxy accepts before it closes the connection."""
    try:
        sock.sendall(data)
    except OSError:
        pass


def assert_closed(sock, timeout=30.0):
    """The proxy closed the connection without answering: EOF (or a reset) within `timeout`."""
    sock.settimeout(timeout)
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        return
    except socket.timeout:
        raise AssertionError("connection still open after %.0f s" % timeout)
    assert data == b"", "expected the connection closed, got %d bytes: %r" % (len(data), data[:64])


def assert_rejected(proxy, data):
    """Sending `data` gets the connection closed, unanswered, as a bad frame: counted in
    metaproxy_bad_frames_total, which the idle timeout does not count, so this also shows the proxy
    decided from what it got instead of waiting for more."""
    bad_frames = metric(proxy, "metaproxy_bad_frames_total")
    with connect(proxy) as s:
        send_quietly(s, data)
        assert_closed(s)
    wait_for(lambda: metric(proxy, "metaproxy_bad_frames_total") > bad_frames, timeout=10, what="bad frame counted")


def assert_serves(proxy, seqid=1):
    """A fresh client gets a correct answer and the proxy process is alive."""
    assert proxy.proc.poll() is None, "meta-proxy exited (%s)" % proxy.log_path
    err, _, got, body = wire.query(proxy.addr, TABLE, seqid=seqid)
    assert (err, got) == ("ERR_OK", seqid) and body["err"] == "ERR_OK" and body["partition_count"] == 4, body


def ask(sock, seqid, table=TABLE):
    sock.sendall(wire.query_v0(table, seqid))
    err, _, got, body = wire.read_reply(sock)
    assert (err, got) == ("ERR_OK", seqid), (err, got)
    assert wire.parse_query_cfg(body)["err"] == "ERR_OK"


class Bystander:
    """Another client querying on one connection in a loop while a test misbehaves; counts answers and
    remembers the first failure."""

    def __init__(self, proxy, interval=0.05):
        self.proxy, self.interval = proxy, interval
        self.answers, self.failure = 0, None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            with connect(self.proxy) as s:
                seqid = 0
                while not self.stopping.is_set():
                    seqid += 1
                    ask(s, seqid)
                    self.answers += 1
                    time.sleep(self.interval)
        except Exception as e:  # recorded, asserted by stop()
            self.failure = e

    def stop(self, min_answers=1):
        self.stopping.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "bystander client hung"
        assert self.failure is None, "bystander client failed: %r" % self.failure
        assert self.answers >= min_answers, "bystander got %d answers" % self.answers


def header_v0(body_length):
    return b"THFT" + struct.pack(">iiiiiiiiiq", 0, 48, 0, body_length, 0, 0, 0, 0, 0, 0)


def padded_query(seqid, frame_size):
    """A valid query for TABLE whose v0 frame is exactly `frame_size` bytes: query_cfg_request gets an
    unknown string field 99 (skipped by every reader) sized to fit."""
    msg = struct.pack(">I", 0x80010001) + wire._str(wire.QUERY) + struct.pack(">i", seqid)
    head = b"\x0c\x00\x01" + b"\x0b\x00\x01" + wire._str(TABLE) + b"\x0f\x00\x02\x08" + struct.pack(">i", 0)
    tail = b"\x00" + b"\x00"
    pad = frame_size - 48 - len(msg) - len(head) - len(tail) - 7
    assert pad >= 0
    frame = wire.frame_v0(msg + head + b"\x0b\x00\x63" + struct.pack(">i", pad) + b"p" * pad + tail)
    assert len(frame) == frame_size
    return frame


def query_with_args(args, seqid=9):
    msg = struct.pack(">I", 0x80010001) + wire._str(wire.QUERY) + struct.pack(">i", seqid)
    return wire.frame_v0(msg + args)


# --- tests -----------------------------------------------------------------------------------------

def test_slowloris_frame_trickled_byte_by_byte_is_answered(proxy):
    frame = wire.query_v0(TABLE, 31)
    bystander = Bystander(proxy)
    with connect(proxy, timeout=10) as slow:
        delay = 3.0 / len(frame)  # about 3 s for the frame; each gap far below the 2 s idle timeout
        for i in range(len(frame)):
            slow.sendall(frame[i:i + 1])
            time.sleep(delay)
        err, _, seqid, body = wire.read_reply(slow)
        assert (err, seqid) == ("ERR_OK", 31) and wire.parse_query_cfg(body)["err"] == "ERR_OK"
    bystander.stop(min_answers=5)


def test_slowloris_stalled_header_is_closed_by_idle_timeout(proxy):
    bystander = Bystander(proxy)
    with connect(proxy) as slow:
        slow.sendall(wire.query_v0(TABLE, 1)[:20])
        started = time.monotonic()
        assert_closed(slow, timeout=IDLE_TIMEOUT + 10)
        assert time.monotonic() - started >= IDLE_TIMEOUT - 0.5, "closed before the idle timeout"
    bystander.stop()


@pytest.mark.parametrize("header", [
    header_v0(2**31 - 1),
    b"THFT" + struct.pack(">iii", 1, 37, 2**31 - 1),   # v1: body_length
    b"THFT" + struct.pack(">iii", 1, 2**31 - 1, 0),    # v1: meta_length
], ids=["v0-body", "v1-body", "v1-meta"])
def test_header_promising_huge_body_is_closed_at_once(proxy, header):
    before = rss_kib(proxy)
    assert_rejected(proxy, header + b"\x00" * 4096)
    assert rss_kib(proxy) < before + 32 * 1024, "RSS grew from %d to %d KiB" % (before, rss_kib(proxy))
    assert_serves(proxy)


def test_frame_of_exactly_max_frame_bytes_is_answered(proxy):
    with connect(proxy) as s:
        s.sendall(padded_query(41, MAX_FRAME))
        err, _, seqid, body = wire.read_reply(s)
        assert (err, seqid) == ("ERR_OK", 41) and wire.parse_query_cfg(body)["err"] == "ERR_OK"
        ask(s, 42)  # and the connection stays usable


@pytest.mark.parametrize("send_body", [True, False], ids=["whole-frame", "header-only"])
def test_frame_above_max_frame_bytes_is_closed(proxy, send_body):
    frame = padded_query(43, MAX_FRAME + 1)
    bystander = Bystander(proxy)
    # Header only: the proxy must decide from the header, without waiting for (or buffering) the body.
    assert_rejected(proxy, frame if send_body else frame[:48])
    bystander.stop()
    assert_serves(proxy)


def nested_lists(depth):
    """Field 3 of query_cfg_request: a list of lists ... `depth` deep, innermost empty."""
    return b"\x0f\x00\x03" + b"\x0f\x00\x00\x00\x01" * (depth - 1) + b"\x08\x00\x00\x00\x00"


def nested_structs(depth):
    """Field 3 of query_cfg_request: a struct holding a struct ... `depth` deep."""
    return b"\x0c\x00\x03" + b"\x0c\x00\x01" * (depth - 1) + b"\x00" * depth


@pytest.mark.parametrize("nesting", [nested_lists(600), nested_structs(700)], ids=["lists-600", "structs-700"])
def test_deep_thrift_nesting_in_args_is_rejected(proxy, nesting):
    args = b"\x0c\x00\x01" + b"\x0b\x00\x01" + wire._str(TABLE) + nesting + b"\x00" + b"\x00"
    frame = query_with_args(args)
    assert len(frame) <= MAX_FRAME
    assert_rejected(proxy, frame)
    assert_serves(proxy)


def _negative_string_args():
    return b"\x0c\x00\x01" + b"\x0b\x00\x01" + struct.pack(">i", -1) + b"\x00\x00"


def _negative_list_args():
    return b"\x0c\x00\x01" + b"\x0b\x00\x01" + wire._str(TABLE) + b"\x0f\x00\x02\x08" + struct.pack(">i", -7) + b"\x00\x00"


NEGATIVE = {
    "v0-body_length": header_v0(-1),
    "v1-meta_length": b"THFT" + struct.pack(">iii", 1, -5, 74),
    "v1-body_length": b"THFT" + struct.pack(">iii", 1, 0, -1),
    "message-name-length": wire.frame_v0(struct.pack(">Ii", 0x80010001, -3) + b"\x00" * 16),
    "app_name-length": query_with_args(_negative_string_args()),
    "partition_indices-count": query_with_args(_negative_list_args()),
}


@pytest.mark.parametrize("frame", list(NEGATIVE.values()), ids=list(NEGATIVE))
def test_negative_lengths_close_the_connection(proxy, frame):
    bystander = Bystander(proxy)
    assert_rejected(proxy, frame)
    bystander.stop()
    assert_serves(proxy)


@pytest.mark.parametrize("version", [2, -1, 0x7FFFFFFF])
def test_unknown_header_version_closes_the_connection(proxy, version):
    assert_rejected(proxy, b"THFT" + struct.pack(">i", version) + wire.query_v0(TABLE, 1)[8:])
    assert_serves(proxy)


def test_thousands_of_half_open_connections_are_closed_by_idle_timeout(proxy):
    limit = raise_fd_limit(2 * HALF_OPEN + 1024)
    count = min(HALF_OPEN, limit - 256)
    assert count >= 1000, "fd limit %d too low for the test" % limit
    assert_serves(proxy)
    before = rss_kib(proxy)
    bystander = Bystander(proxy)
    partial = wire.query_v0(TABLE, 1)[:10]
    sockets = []
    sel = selectors.DefaultSelector()
    try:
        deadline = time.monotonic() + 60
        for _ in range(count):
            assert time.monotonic() < deadline, "opening %d connections took over 60 s" % count
            s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
            s.sendall(partial)
            s.setblocking(False)
            sockets.append(s)
            sel.register(s, selectors.EVENT_READ)
        # While they are open, others are still served.
        assert_serves(proxy, seqid=2)
        during = rss_kib(proxy)
        # Every one of them is closed by the proxy (EOF), none answered, within the idle timeout plus slack.
        open_count = count
        deadline = time.monotonic() + IDLE_TIMEOUT + 60
        while open_count and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1):
                try:
                    data = key.fileobj.recv(4096)
                except ConnectionResetError:
                    data = b""
                except BlockingIOError:
                    continue
                assert data == b"", "a half-open connection got %d bytes" % len(data)
                sel.unregister(key.fileobj)
                open_count -= 1
        assert open_count == 0, "%d of %d half-open connections still open" % (open_count, count)
    finally:
        sel.close()
        for s in sockets:
            s.close()
    bystander.stop(min_answers=10)
    after = rss_kib(proxy)
    print("half-open: %d connections closed by the idle timeout; proxy RSS %d KiB before, %d while open, %d after"
          % (count, before, during, after))
    assert after < before + 100 * 1024, "RSS grew from %d to %d KiB" % (before, after)
    assert_serves(proxy, seqid=3)


def test_connection_flood_beyond_max_connections(flood_proxy):
    proxy = flood_proxy
    raise_fd_limit(FLOOD_LIMIT + 512)
    rejected = metric(proxy, "metaproxy_rejected_connections_total")
    held = []
    try:
        for i in range(FLOOD_LIMIT):
            s = connect(proxy)
            held.append(s)
            ask(s, 1000 + i)  # answered, so the proxy has admitted it
        extra = connect(proxy)
        send_quietly(extra, wire.query_v0(TABLE, 7))
        assert_closed(extra)
        extra.close()
        wait_for(lambda: metric(proxy, "metaproxy_rejected_connections_total") >= rejected + 1, timeout=10,
                 what="rejected connection counted")
        for i, s in enumerate(held):  # every earlier connection still works
            ask(s, 5000 + i)
    finally:
        for s in held:
            s.close()
    # Once they are gone, new connections are admitted again.
    wait_for(lambda: wire.query(proxy.addr, TABLE, seqid=77)[0] == "ERR_OK", timeout=20, what="admitted again")
