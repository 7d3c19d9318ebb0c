"""The admin port of a real meta-proxy process under hostile and abusive clients: request targets that
used to trap the parser, a connection flood over server.admin_max_connections, half-sent requests
(server.admin_header_timeout), oversized heads and bodies. Throughout, a bystander admin request and a
bystander Pegasus query must succeed and the process must release the file descriptors."""
import os
import re
import socket
import time

import wire
from conftest import Proxy, http_get, wait_for


def start_proxy(tmp_path, sim, extra_server=""):
    routes = tmp_path / "routes.yaml"
    routes.write_text("tables:\n  adm: { cluster: admA, meta_addrs: [%s] }\n" % ", ".join('"%s"' % m for m in sim.metas))
    config = tmp_path / "proxy.yaml"
    config.write_text("server: { %s }\nroutes_file: routes.yaml\n" % extra_server)
    return Proxy(["--config", str(config)])


def metric(proxy, name, labels=""):
    m = re.search(r"^%s(\{[^}]*%s[^}]*\})? ([0-9.e+]+)$" % (re.escape(name), re.escape(labels)), proxy.metrics(), re.M)
    return float(m.group(2)) if m else 0.0


def raw(proxy, data, timeout=5.0):
    """Sends raw bytes to the admin port, returns everything it answers until it closes or goes quiet."""
    s = socket.create_connection(("127.0.0.1", proxy.admin_port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed before we finished sending (an oversized head): read what it answered
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                # closed with our bytes unread (a refused oversized head): the answer may be lost
                return out or b"RESET"
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and b"Connection: close" not in out:
                # keep-alive answer: read its body and stop
                head, _, body = out.partition(b"\r\n\r\n")
                m = re.search(rb"Content-Length: (\d+)", head)
                if m and len(body) >= int(m.group(1)):
                    break
        return out
    finally:
        s.close()


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def bystanders_served(p):
    assert http_get(p.admin, "/healthz")[0] == 200
    err, _, seqid, _ = wire.query(p.addr, "adm", seqid=11)
    assert (err, seqid) == ("ERR_OK", 11)


HOSTILE_TARGETS = [
    "/healthz?=",
    "/readyz?=&=",
    "/healthz?&&&",
    "/healthz??==??",
    "/healthz?%",
    "/healthz?%zz=%",
    "/healthz?a=%ff%fe%00",
    "/routes?=x&y=&&=",
    "?",
    "*",
    "/" + "a" * 4000 + "?" + "&=" * 2000,
]


def test_hostile_request_targets_are_answered_and_the_process_keeps_serving(sims, tmp_path):
    a = sims("admA", "adm:4")
    p = start_proxy(tmp_path, a)
    try:
        for target in HOSTILE_TARGETS:
            answer = raw(p, b"GET " + target.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 "), (target[:40], answer[:80])
            assert p.proc.poll() is None, "meta-proxy exited on GET %s" % target[:40]
        # garbage that is not HTTP at all, and methods with bodies
        for data in [b"\x00\xff" * 100 + b"\r\n\r\n", b"GET\r\n\r\n", b"POST /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"]:
            raw(p, data)
            assert p.proc.poll() is None
        assert http_get(p.admin, "/healthz?=")[0] == 200
        bystanders_served(p)
    finally:
        p.stop()


def still_open(s):
    """True when the proxy has neither closed nor reset the connection (nothing arrives within 50 ms)."""
    s.settimeout(0.05)
    try:
        return s.recv(1) != b""
    except socket.timeout:
        return True
    except OSError:
        return False
    finally:
        s.settimeout(5)


def hold_admin_slots(proxy, count):
    """Opens `count` half-sent admin requests that the proxy admitted. A connection from before (the
    start-up readiness poll) may still hold a slot for a moment after its client closed; a held
    connection refused because of it is replaced, so on return exactly `count` slots are taken."""
    held = []
    for _ in range(50):
        while len(held) < count:
            s = socket.create_connection(("127.0.0.1", proxy.admin_port), timeout=5)
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # half-sent
            except OSError:
                pass  # refused already: still_open drops it below
            held.append(s)
        time.sleep(0.3)
        alive = [s for s in held if still_open(s)]
        for s in held:
            if s not in alive:
                s.close()
        held = alive
        if len(held) == count:
            return held
    raise AssertionError("the admin port never admitted %d connections" % count)


def test_admin_connection_flood_is_capped_and_counted(sims, tmp_path):
    a = sims("admA", "adm:4")
    p = start_proxy(tmp_path, a, "admin_max_connections: 8")
    try:
        held = hold_admin_slots(p, 8)
        extra = [socket.create_connection(("127.0.0.1", p.admin_port), timeout=5) for _ in range(20)]
        for s in extra:
            s.settimeout(5)
            assert s.recv(10) == b""  # refused at once
            s.close()
        for s in held:
            s.close()
        # the held ones are gone: a bystander gets in again, and the refusals were counted
        wait_for(lambda: http_get(p.admin, "/healthz", 1)[0] == 200, what="admin port serves again")
        assert metric(p, "metaproxy_admin_rejected_connections_total") >= 20
        bystanders_served(p)
    finally:
        p.stop()


def test_half_sent_requests_are_closed_after_the_header_timeout_and_fds_released(sims, tmp_path):
    a = sims("admA", "adm:4")
    p = start_proxy(tmp_path, a, "admin_header_timeout: 1, admin_max_connections: 500")
    try:
        bystanders_served(p)
        before = fd_count(p.proc.pid)
        held = [socket.create_connection(("127.0.0.1", p.admin_port), timeout=10) for _ in range(300)]
        for s in held:
            s.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
        bystanders_served(p)
        for s in held:
            s.settimeout(15)
            try:
                assert s.recv(10) == b""  # closed by the proxy
            except ConnectionResetError:
                pass  # also closed by the proxy (a connection the kernel had queued and reset)
            s.close()
        wait_for(lambda: fd_count(p.proc.pid) <= before + 5, what="fds released")
        assert metric(p, "metaproxy_admin_closed_connections_total", 'reason="header_timeout"') >= 300
        bystanders_served(p)
    finally:
        p.stop()


def test_idle_keep_alive_connections_are_closed(sims, tmp_path):
    a = sims("admA", "adm:4")
    p = start_proxy(tmp_path, a, "admin_idle_timeout: 1")
    try:
        s = socket.create_connection(("127.0.0.1", p.admin_port), timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        s.settimeout(10)
        start = time.time()
        assert s.recv(10) == b""
        assert time.time() - start < 9
        s.close()
    finally:
        p.stop()


def test_oversized_head_and_body_are_refused(sims, tmp_path):
    a = sims("admA", "adm:4")
    p = start_proxy(tmp_path, a)
    try:
        before = fd_count(p.proc.pid)
        # just over the 16 KiB bound: answered 431 (or reset, when the close beats our last bytes)
        answer = raw(p, b"GET /healthz HTTP/1.1\r\n" + b"X-Big: " + b"b" * 17000)
        assert answer.startswith(b"HTTP/1.1 431") or answer == b"RESET", answer[:80]
        # far over it: never buffered, closed
        answer = raw(p, b"GET /healthz HTTP/1.1\r\n" + b"X-Big: " + b"b" * 1000000 + b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 431") or answer == b"RESET", answer[:80]
        assert metric(p, "metaproxy_admin_closed_connections_total", 'reason="head_too_large"') == 2
        answer = raw(p, b"GET /healthz HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789")
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        bystanders_served(p)
        wait_for(lambda: fd_count(p.proc.pid) <= before + 2, what="fds released")
    finally:
        p.stop()
