"""Fault-runner helpers: the e2e helpers (Sim, Proxy, meta_proxy, pyclient, ...) re-exported, a
ZooKeeper server the tests stop, pause and restart, a TCP relay that partitions or loses
connections, a raw-socket load that accounts for every request, and /proc readers.

Everything is on loopback; every loop is bounded in time and count."""
import importlib.util
import os
import random
import select
import signal
import socket
import subprocess
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.abspath(os.path.join(HERE, "..", "e2e"))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def _load_e2e_support():
    """integration/e2e/conftest.py under its own module name (a second `conftest` would clash)."""
    spec = importlib.util.spec_from_file_location("e2e_support", os.path.join(E2E, "conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # also puts integration/e2e on sys.path (for `wire`)
    return module


e2e = _load_e2e_support()
Sim, Proxy, meta_proxy, pyclient = e2e.Sim, e2e.Proxy, e2e.meta_proxy, e2e.pyclient
wait_for, http_get, free_port = e2e.wait_for, e2e.http_get, e2e.free_port

import wire  # noqa: E402  (integration/e2e/wire.py, on sys.path once e2e_support is loaded)


# ---------------------------------------------------------------------------------------------
# ZooKeeper


class ZooKeeperServer:
    """A ZooKeeper server of one test module (scripts/zk.sh), stopped, paused and restarted by the
    tests on the same port with the same data directory."""

    def __init__(self, directory):
        self.dir = str(directory)
        self.port = free_port()
        self.addr = "127.0.0.1:%d" % self.port
        self.script = os.environ.get("ZK_SCRIPT", os.path.join(ROOT, "scripts", "zk.sh"))
        self.start()

    def _pid(self):
        with open(os.path.join(self.dir, "pid")) as f:
            return int(f.read().strip())

    def start(self):
        try:
            r = subprocess.run([self.script, "start", str(self.port), self.dir], capture_output=True, text=True,
                               timeout=60)
        except subprocess.TimeoutExpired:
            r = None
        if r is None or r.returncode != 0:
            self.stop()  # the server it may have left running
            pytest.fail("ZooKeeper did not start: %s" % ((r.stdout, r.stderr) if r else "timed out"))

    def stop(self):
        """Stops the server, keeping its data (the routes survive a restart)."""
        try:
            pid = self._pid()
        except (OSError, ValueError):
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 15
        while time.time() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.1)
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)

    def alive(self):
        """Whether the server answers the `srvr` four-letter command."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.settimeout(2)
                s.sendall(b"srvr")
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                return b"Mode:" in data
        except OSError:
            return False

    def pause(self):
        os.kill(self._pid(), signal.SIGSTOP)

    def resume(self):
        os.kill(self._pid(), signal.SIGCONT)

    def destroy(self):
        subprocess.run([self.script, "stop", self.dir], capture_output=True, timeout=30)


# ---------------------------------------------------------------------------------------------
# TCP relay


class Relay:
    """A TCP relay 127.0.0.1:<port> -> target, in one thread (select), with faults:

    - `partition()`: a black hole. Established connections stay open but nothing is forwarded
      (like dropped packets); new connections are accepted and never connected upstream.
      `heal()` closes the held connections (as TCP would eventually) and forwards again.
    - `lossy(drop=..., delay=..., windows=...)`: a fraction `drop` of new connections is closed at
      once (reset), a fraction `delay` is forwarded `delay_s` late; optionally periodic loss windows
      `(every_s, length_s)` during which every connection is cut and new ones are dropped.

    Counts accepted, dropped, delayed and cut connections."""

    def __init__(self, target, seed=7):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        self.listener.setblocking(False)
        self.addr = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.pairs = {}  # socket -> peer socket
        self.held = []  # sockets accepted while partitioned
        self.pending = []  # (release time, socket): delayed connections
        self.partitioned = False
        self.drop, self.delay, self.delay_s, self.windows = 0.0, 0.0, 0.0, None
        self.started = time.time()
        self.counts = {"accepted": 0, "dropped": 0, "delayed": 0, "cut": 0}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    # -- controls

    def partition(self):
        with self.lock:
            self.partitioned = True

    def heal(self):
        with self.lock:
            self.partitioned = False
            held, self.held = self.held + [c for _, c in self.pending], []
            self.pending = []
            pairs = list(self.pairs.items())
            self.pairs.clear()
        for s in held + [s for s, _ in pairs]:
            _close(s)

    def lossy(self, drop=0.0, delay=0.0, delay_s=0.05, windows=None):
        with self.lock:
            self.drop, self.delay, self.delay_s, self.windows = drop, delay, delay_s, windows
            self.started = time.time()

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        self.heal()
        _close(self.listener)

    # -- loop

    def _in_window(self, now):
        if not self.windows:
            return False
        every, length = self.windows
        return (now - self.started) % every < length

    def _accept(self):
        try:
            client, _ = self.listener.accept()
        except (BlockingIOError, OSError):
            return
        with self.lock:
            self.counts["accepted"] += 1
            if self.partitioned:
                self.held.append(client)
                return
            if self.rng.random() < self.drop or self._in_window(time.time()):
                self.counts["dropped"] += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                _close(client)
                return
            if self.rng.random() < self.delay:
                self.counts["delayed"] += 1
                self.pending.append((time.time() + self.delay_s, client))
                return
        self._connect(client)

    def _connect(self, client):
        try:
            upstream = socket.create_connection(self.target, timeout=2)
        except OSError:
            _close(client)
            return
        with self.lock:
            self.pairs[client] = upstream
            self.pairs[upstream] = client

    def _run(self):
        while not self.stopping.is_set():
            now = time.time()
            with self.lock:
                due = [c for t, c in self.pending if t <= now]
                self.pending = [(t, c) for t, c in self.pending if t > now]
            for client in due:
                self._connect(client)
            with self.lock:
                partitioned = self.partitioned
                sockets = [] if partitioned else list(self.pairs)
                cut = [] if partitioned or not self._in_window(time.time()) else list(self.pairs)
            if cut:
                with self.lock:
                    self.counts["cut"] += len(cut) // 2
                    for s in cut:
                        self.pairs.pop(s, None)
                for s in cut:
                    _close(s)
                sockets = []
            try:
                readable, _, _ = select.select([self.listener] + sockets, [], [], 0.05)
            except (OSError, ValueError):
                continue
            for s in readable:
                if s is self.listener:
                    self._accept()
                    continue
                with self.lock:
                    peer = self.pairs.get(s)
                if peer is None:
                    continue
                try:
                    data = s.recv(65536)
                    if data:
                        peer.sendall(data)
                except OSError:
                    data = b""
                if not data:
                    with self.lock:
                        self.pairs.pop(s, None)
                        self.pairs.pop(peer, None)
                    _close(s)
                    _close(peer)


def _close(s):
    try:
        s.close()
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------
# Load with accounting


class Load:
    """Client load over raw sockets: `conns` connections, each sending `depth` pipelined QueryConfig
    requests (THFT v0 and v1 alternately, distinct seqids), reading every reply, pausing `pause` s,
    again — until `stop()`, `duration` s or `max_batches` batches per connection.

    Every request sent gets exactly one outcome:
      ok      a reply with ERR_OK whose app_id and every partition (gpid app_id, primary address)
              belong to one known cluster (recorded);
      error   a Pegasus error: envelope error (ERR_TIMEOUT, ...) or an error in the body
              (ERR_ZOOKEEPER_OPERATION, ERR_OBJECT_NOT_FOUND, ...);
      closed  the connection closed or reset before its reply; the connection is opened again;
      hang    no reply within `read_timeout` s (a violation);
      wrong   a reply not for an outstanding seqid, with the wrong RPC name, or whose partitions
              belong to no cluster or to two (a violation).
    """

    def __init__(self, addr, tables, clusters, conns=3, depth=8, pause=0.02, duration=120.0,
                 max_batches=20000, read_timeout=12.0, v1_timeout_ms=3000):
        self.host, port = addr.rsplit(":", 1)
        self.port = int(port)
        self.tables = list(tables)
        # clusters: name -> Sim; app_id -> (cluster, table) and replica set per cluster.
        self.by_app = {}
        self.replicas = {}
        for name, sim in clusters.items():
            self.replicas[name] = set(sim.replicas)
            for table, info in sim.tables.items():
                self.by_app[info["app_id"]] = (name, table)
        self.conns, self.depth, self.pause = conns, depth, pause
        self.duration, self.max_batches, self.read_timeout = duration, max_batches, read_timeout
        self.v1_timeout_ms = v1_timeout_ms
        self.records = []  # (sent, done, conn, seqid, table, outcome, detail)
        self.sent = 0
        self.connects = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def start(self):
        self.begun = time.time()
        for i in range(self.conns):
            t = threading.Thread(target=self._conn_loop, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(self.read_timeout + 10)
        assert not any(t.is_alive() for t in self.threads), "a load thread did not stop"
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- one connection

    def _record(self, rows):
        with self.lock:
            self.records.extend(rows)

    def _conn_loop(self, i):
        deadline = self.begun + self.duration
        seq = i * 10_000_000
        batches = 0
        sock = None
        while not self.stopping.is_set() and time.time() < deadline and batches < self.max_batches:
            if sock is None:
                try:
                    sock = socket.create_connection((self.host, self.port), timeout=2)
                    sock.settimeout(self.read_timeout)
                    with self.lock:
                        self.connects += 1
                except OSError:
                    time.sleep(0.1)  # proxy down: nothing sent, retry
                    continue
            batches += 1
            outstanding = {}
            out = b""
            for j in range(self.depth):
                seq += 1
                table = self.tables[(seq + i) % len(self.tables)]
                frame = wire.query_v0(table, seq) if seq % 2 else wire.query_v1(table, seq, self.v1_timeout_ms)
                outstanding[seq] = (time.time(), table)
                out += frame
            with self.lock:
                self.sent += len(outstanding)
            rows = []
            try:
                sock.sendall(out)
                while outstanding:
                    err, name, sid, body = wire.read_reply(sock)
                    now = time.time()
                    if sid not in outstanding:
                        rows.append((now, now, i, sid, None, "wrong", "unexpected seqid %d" % sid))
                        continue
                    sent, table = outstanding.pop(sid)
                    outcome, detail = self._classify(table, err, name, body)
                    rows.append((sent, now, i, sid, table, outcome, detail))
            except socket.timeout:
                now = time.time()
                rows += [(s, now, i, q, t, "hang", None) for q, (s, t) in outstanding.items()]
                outstanding = {}
                _close(sock)
                sock = None
            except (OSError, ConnectionError, AssertionError, IndexError, ValueError):
                now = time.time()
                rows += [(s, now, i, q, t, "closed", None) for q, (s, t) in outstanding.items()]
                outstanding = {}
                _close(sock)
                sock = None
            self._record(rows)
            if self.pause:
                time.sleep(self.pause)
        if sock is not None:
            _close(sock)

    def _classify(self, table, err, name, body):
        if name != wire.QUERY + "_ACK":
            return "wrong", "reply name %s" % name
        if err != "ERR_OK":
            return "error", err
        try:
            cfg = wire.parse_query_cfg(body)
        except Exception as e:  # a malformed body is a violation
            return "wrong", "unparsable body: %r" % e
        if cfg.get("err") != "ERR_OK":
            return "error", cfg.get("err")
        owner = self.by_app.get(cfg.get("app_id"))
        if owner is None or owner[1] != table:
            return "wrong", "app_id %s is not %s's in any cluster" % (cfg.get("app_id"), table)
        cluster = owner[0]
        for p in cfg["partitions"]:
            if p.get("app_id") != cfg["app_id"] or (p.get("primary") and p["primary"] not in self.replicas[cluster]):
                return "wrong", "partition %r is not of %s" % (p, cluster)
        return "ok", cluster

    # -- results

    def summary(self, since=None, until=None):
        """Counts per outcome (`ok:<cluster>`, `error:<name>`, `closed`, `hang`, `wrong`) of requests
        sent in [since, until)."""
        counts = {}
        for sent, _, _, _, _, outcome, detail in self.records:
            if (since is not None and sent < since) or (until is not None and sent >= until):
                continue
            key = outcome if outcome in ("closed", "hang", "wrong") else "%s:%s" % (outcome, detail)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def check_accounted(self):
        """Every request sent has exactly one outcome; no hang, no wrong reply. Returns the summary."""
        answered = [r for r in self.records if r[5] != "wrong" or r[4] is not None]
        keys = [(r[2], r[3]) for r in answered]
        assert len(keys) == len(set(keys)), "a request has two outcomes"
        assert len(answered) == self.sent, "sent %d, accounted %d" % (self.sent, len(answered))
        bad = [r for r in self.records if r[5] in ("hang", "wrong")]
        assert not bad, "violations: %r" % bad[:10]
        return self.summary()

    def first(self, outcome, detail=None, since=0.0):
        """The earliest completion time of an outcome (e.g. ("ok", "clusterB")) after `since`."""
        times = [r[1] for r in self.records if r[5] == outcome and (detail is None or r[6] == detail) and r[1] >= since]
        return min(times) if times else None

    def count(self, outcome, detail=None, since=0.0, until=None):
        with self.lock:
            rows = list(self.records)
        return sum(1 for r in rows if r[5] == outcome and (detail is None or r[6] == detail) and r[0] >= since
                   and (until is None or r[0] < until))

    def served_by(self, since=0.0, until=None):
        """{table: {cluster: count}} of ok replies to requests sent in [since, until)."""
        with self.lock:
            rows = list(self.records)
        out = {}
        for sent, _, _, _, table, outcome, detail in rows:
            if outcome == "ok" and sent >= since and (until is None or sent < until):
                out.setdefault(table, {}).setdefault(detail, 0)
                out[table][detail] += 1
        return out

    def latencies(self, since=0.0, until=None):
        with self.lock:
            rows = list(self.records)
        return sorted(r[1] - r[0] for r in rows if r[0] >= since and (until is None or r[0] < until))


def report(name, **values):
    """Prints one measured result line (collected into docs/reliability.md by hand)."""
    print("\nFAULT-RESULT %s %s" % (name, " ".join("%s=%s" % kv for kv in values.items())), flush=True)


# ---------------------------------------------------------------------------------------------
# /proc


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)
