#!/usr/bin/env python3
"""Soak: well-behaved and hostile traffic against one meta-proxy process at once, for a while.

Starts one simulated cluster (pegasus-sim), a "deaf" MetaServer (a socket that accepts and never
reads), and `meta-proxy serve` on a routes file, then runs, all at the same time for --seconds:

  bystanders    clients querying a healthy table in a loop (THFT v0 and RDSN), timing each answer
  pipeliners    connections that pipeline queries for a 256-partition table and never read a reply
  tricklers     incomplete frames sent a byte at a time (closed by server.frame_timeout)
  hoarders      connections holding almost complete 1 MiB frames (server.max_buffered_request_bytes)
  garbage       bytes that are not a frame (the connection is closed, nothing else)
  unknown       queries for table names nobody routes, each name new (no metric series, no cache growth)
  deaf          queries for a table whose MetaServer never reads (meta.max_queued_bytes, attempt timeouts)
  churn         connections opened and closed at once
  admin         hostile admin requests (`/healthz?=`, garbage, half-sent heads) and /metrics scrapes

It samples the proxy's RSS and open fds every second. At the end it stops the hostile traffic,
waits for the proxy to settle and checks: the process is alive and answers; RSS did not keep growing
(the peak of the last third is within --rss-slack-mib of the peak of the middle third); the open fds
are back near where they were before the load; no bystander query failed; the bystanders' p99 is
under --p99-ms. It prints a report (and writes it as JSON with --report) and exits 1 on a failed check.

Long runs: scripts/soak.sh 1800. CI runs a short one (integration/e2e/test_soak.py).
Loopback only; every loop is bounded by --seconds.
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import wire  # noqa: E402
from conftest import Proxy, Sim, http_get, wait_for  # noqa: E402
from test_rdsn import rdsn_query, read_rdsn  # noqa: E402

TABLE, BIG, DEAF = "t1", "big", "deaf"


class Workers:
    """Threads that loop until `stopping` is set; exceptions other than network errors are kept."""

    def __init__(self):
        self.stopping = threading.Event()
        self.threads = []
        self.errors = []
        self.counts = {}
        self.lock = threading.Lock()

    def count(self, name, n=1):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def spawn(self, name, body, *args):
        def run():
            while not self.stopping.is_set():
                try:
                    body(*args)
                    self.count(name)
                except (OSError, ConnectionError):
                    self.count(name + "_net_errors")
                    time.sleep(0.05)
                except Exception as e:  # a bug in the soak itself or an assertion: reported
                    self.errors.append("%s: %r" % (name, e))
                    time.sleep(0.2)
        t = threading.Thread(target=run, name=name, daemon=True)
        t.start()
        self.threads.append(t)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)
        return [t.name for t in self.threads if t.is_alive()]


def connect(proxy, timeout=5.0):
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)


class Bystander:
    """A well-behaved client on one connection; records each answer's latency and any failure."""

    def __init__(self, proxy, fmt, stopping):
        self.proxy, self.fmt, self.stopping = proxy, fmt, stopping
        self.latencies, self.failures = [], []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        seqid = 0
        sock = None
        while not self.stopping.is_set():
            try:
                if sock is None:
                    sock = connect(self.proxy)
                seqid += 1
                started = time.monotonic()
                if self.fmt == "thft":
                    sock.sendall(wire.query_v0(TABLE, seqid))
                    err, _, got, body = wire.read_reply(sock)
                    ok = err == "ERR_OK" and got == seqid and wire.parse_query_cfg(body)["err"] == "ERR_OK"
                else:
                    sock.sendall(rdsn_query(TABLE, seqid))
                    req_id, _, err, _, _ = read_rdsn(sock)
                    ok = req_id == seqid and err == "ERR_OK"
                self.latencies.append(time.monotonic() - started)
                if not ok:
                    self.failures.append("answer not ERR_OK")
            except Exception as e:
                self.failures.append(repr(e))
                if sock is not None:
                    sock.close()
                sock = None
                time.sleep(0.2)
            time.sleep(0.01)
        if sock is not None:
            sock.close()


def pipeliner(proxy):
    """Pipelines up to 4,000 queries for the big table for two seconds and never reads."""
    with connect(proxy, timeout=0.5) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
        data = memoryview(b"".join(wire.query_v0(BIG, i) for i in range(1, 4001)))
        deadline = time.monotonic() + 2
        while data and time.monotonic() < deadline:
            try:
                data = data[s.send(data[:1 << 16]):]
            except socket.timeout:
                pass
        time.sleep(1)


def trickler(proxy):
    """Half a frame, a byte every 200 ms, until the proxy closes it (frame_timeout) or 8 s pass."""
    frame = wire.query_v0(TABLE, 1)
    with connect(proxy) as s:
        for byte in frame[: len(frame) // 2]:
            s.sendall(bytes([byte]))  # fails (counted) once the proxy has closed it
            time.sleep(0.2)


def hoarder(proxy):
    """A frame announcing 1 MiB, sent short of one byte, held until the proxy closes it."""
    body_length = (1 << 20) - 49
    head = b"THFT" + struct.pack(">iiiiiiiiiq", 0, 48, 0, body_length, 0, 0, 0, 0, 0, 0)
    with connect(proxy, timeout=15) as s:
        s.sendall(head + b"\x00" * (body_length - 1))
        s.recv(1)  # EOF when the proxy closes it (buffer budget or frame_timeout)


def garbage(proxy):
    with connect(proxy) as s:
        s.sendall(os.urandom(random.randint(1, 300)))
        s.settimeout(5)
        s.recv(65536)


def unknown(proxy, serial=[0]):
    serial[0] += 1
    name = "soak_unknown_%d_%d" % (serial[0], random.randint(0, 1 << 30))
    err, _, _, body = wire.query(proxy.addr, name)
    assert err == "ERR_OK" and body["err"] == "ERR_OBJECT_NOT_FOUND", (err, body)


def deaf(proxy):
    """A query for the table whose MetaServer never reads: answered with an error, not hung."""
    with connect(proxy, timeout=30) as s:
        s.sendall(wire.query_v0(DEAF, 1))
        wire.read_reply(s)


def churn(proxy):
    connect(proxy).close()


def admin(proxy):
    choice = random.randint(0, 4)
    if choice == 0:
        http_get(proxy.admin, "/healthz?=")
    elif choice == 1:
        http_get(proxy.admin, "/readyz?%zz&&=&x=%ff")
    elif choice == 2:
        with socket.create_connection(("127.0.0.1", proxy.admin_port), timeout=5) as s:
            s.sendall(os.urandom(200))
            s.recv(1024)
    elif choice == 3:
        with socket.create_connection(("127.0.0.1", proxy.admin_port), timeout=15) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished: header timeout
            s.recv(1024)
    else:
        status, text = http_get(proxy.admin, "/metrics")
        assert status == 200 and len(text) < 1 << 20, (status, len(text))


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def deaf_meta():
    """A MetaServer that accepts connections and never reads a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return
    threading.Thread(target=accept, daemon=True).start()
    return listener, held


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--report", help="write the report as JSON here")
    parser.add_argument("--rss-slack-mib", type=float, default=48)
    parser.add_argument("--fd-slack", type=int, default=16)
    parser.add_argument("--p99-ms", type=float, default=1500)
    args = parser.parse_args()

    sim = Sim("soak", "%s:8,%s:256" % (TABLE, BIG), metas=3, replicas=3)
    listener, held = deaf_meta()
    work = tempfile.mkdtemp(prefix="meta-proxy-soak.")
    metas = ", ".join('"%s"' % m for m in sim.metas)
    deaf_addr = "127.0.0.1:%d" % listener.getsockname()[1]
    with open(os.path.join(work, "routes.yaml"), "w") as f:
        f.write("tables:\n")
        for table in (TABLE, BIG):
            f.write("  %s: { cluster: soak, meta_addrs: [%s] }\n" % (table, metas))
        f.write('  %s: { cluster: deaf, meta_addrs: ["%s"] }\n' % (DEAF, deaf_addr))
    with open(os.path.join(work, "proxy.yaml"), "w") as f:
        f.write("server:\n  frame_timeout: 3\n  max_buffered_request_bytes: 16777216\n"
                "  admin_header_timeout: 3\n"
                "meta:\n  timeout: 1000\n  max_queued_bytes: 1048576\n"
                "routes_file: %s\n" % os.path.join(work, "routes.yaml"))
    proxy = Proxy(["--config", os.path.join(work, "proxy.yaml")], log_path=os.path.join(work, "proxy.log"))
    pid = proxy.proc.pid
    failures = []
    try:
        for seqid, table in enumerate([TABLE, BIG], 1):
            err, _, got, body = wire.query(proxy.addr, table, seqid=seqid)
            assert (err, got, body["err"]) == ("ERR_OK", seqid, "ERR_OK"), body
        time.sleep(1)
        baseline = {"rss_mib": rss_mib(pid), "fds": open_fds(pid)}

        stopping = threading.Event()
        bystanders = [Bystander(proxy, fmt, stopping) for fmt in ("thft", "thft", "rdsn")]
        workers = Workers()
        for name, body, copies in [
            ("pipeliner", pipeliner, 2), ("trickler", trickler, 3), ("hoarder", hoarder, 4),
            ("garbage", garbage, 1), ("unknown", unknown, 2), ("deaf", deaf, 2), ("churn", churn, 1),
            ("admin", admin, 2),
        ]:
            for _ in range(copies):
                workers.spawn(name, body, proxy)

        samples = []
        started = time.monotonic()
        while time.monotonic() - started < args.seconds:
            if proxy.proc.poll() is not None:
                failures.append("meta-proxy exited with %s during the soak" % proxy.proc.returncode)
                break
            samples.append({"t": round(time.monotonic() - started, 1), "rss_mib": round(rss_mib(pid), 1),
                            "fds": open_fds(pid)})
            time.sleep(1)
        hung = workers.stop()
        stopping.set()
        for b in bystanders:
            b.thread.join(30)
        for s in held:
            s.close()

        settled = {}
        if proxy.proc.poll() is None:
            # Hostile connections close by their timeouts (frame 3 s, admin header 3 s); wait for them.
            try:
                wait_for(lambda: open_fds(pid) <= baseline["fds"] + args.fd_slack, timeout=30,
                         what="open fds back near the baseline")
            except AssertionError as e:
                failures.append(str(e))
            settled = {"rss_mib": round(rss_mib(pid), 1), "fds": open_fds(pid)}
            err, _, _, body = wire.query(proxy.addr, TABLE, seqid=7)
            if (err, body["err"]) != ("ERR_OK", "ERR_OK"):
                failures.append("the proxy does not answer after the soak: %s %s" % (err, body))

        latencies = [l for b in bystanders for l in b.latencies]
        bystander_failures = [f for b in bystanders for f in b.failures]
        third = max(1, len(samples) // 3)
        middle = max((s["rss_mib"] for s in samples[third:2 * third]), default=0)
        last = max((s["rss_mib"] for s in samples[2 * third:]), default=0)
        report = {
            "seconds": args.seconds,
            "baseline": baseline,
            "settled": settled,
            "rss_peak_mib": max((s["rss_mib"] for s in samples), default=0),
            "rss_peak_middle_third_mib": middle,
            "rss_peak_last_third_mib": last,
            "fds_peak": max((s["fds"] for s in samples), default=0),
            "bystander_answers": len(latencies),
            "bystander_failures": bystander_failures[:5],
            "bystander_p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
            "bystander_p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
            "hostile_iterations": workers.counts,
            "soak_errors": workers.errors[:5],
            "samples": samples,
        }
        if hung:
            failures.append("soak workers hung: %s" % hung)
        if workers.errors:
            failures.append("unexpected answers: %s" % workers.errors[:3])
        if bystander_failures:
            failures.append("%d bystander queries failed, first: %s" % (len(bystander_failures), bystander_failures[0]))
        if len(latencies) < 10:
            failures.append("bystanders got only %d answers" % len(latencies))
        if report["bystander_p99_ms"] > args.p99_ms:
            failures.append("bystander p99 %.0f ms > %.0f ms" % (report["bystander_p99_ms"], args.p99_ms))
        if last > middle + args.rss_slack_mib:
            failures.append("RSS kept growing: peak %.0f MiB in the last third, %.0f MiB in the middle third"
                            % (last, middle))
        report["failures"] = failures
        print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2))
        if args.report:
            with open(args.report, "w") as f:
                json.dump(report, f, indent=2)
    finally:
        proxy.stop()
        sim.stop()
        listener.close()
    if failures:
        print("SOAK FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        print("proxy log: %s" % proxy.log_path, file=sys.stderr)
        return 1
    print("soak passed (%d s); proxy log: %s" % (args.seconds, proxy.log_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
