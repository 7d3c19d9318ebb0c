"""Fixtures for the end-to-end suites: real processes on loopback.

Environment (set by scripts/test.sh): ZK_ADDRESS (a running ZooKeeper), META_PROXY_BIN,
PEGASUS_SIM_BIN (built binaries)."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)


def _bin(env, default):
    path = os.environ.get(env, os.path.join(ROOT, ".build", "debug", default))
    if not os.path.exists(path):
        pytest.fail("%s not built at %s (run scripts/test.sh)" % (default, path))
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(count):
    """`count` distinct free ports: the sockets stay bound until all are picked (two calls of
    free_port() in a row can return the same port once the first socket is closed)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def http_get(addr, path, timeout=5.0):
    try:
        with urllib.request.urlopen("http://%s%s" % (addr, path), timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(pred, timeout=20.0, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # keep polling
            last = e
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what() if callable(what) else what, last))


def record_sim_crash(sim):
    """A simulated cluster that died on its own (not stopped by the test) is test infrastructure
    failing, not the proxy: it is reported loudly, and scripts/test.sh re-runs the failed tests once
    when this log (SIM_CRASH_LOG) is not empty."""
    line = "pegasus-sim %s died on its own (exit %s); stderr with the backtrace: %s\n" % (
        sim.name, sim.proc.returncode, sim.stderr_path)
    sys.stderr.write("\n" + line)
    log = os.environ.get("SIM_CRASH_LOG")
    if log:
        with open(log, "a") as f:
            f.write(line)


class Sim:
    """One pegasus-sim process (one simulated cluster)."""

    def __init__(self, name, tables, metas=3, replicas=3, extra=()):
        self.name = name
        # Every port ephemeral (control too: a port picked here could be taken before the sim binds it).
        cmd = [_bin("PEGASUS_SIM_BIN", "pegasus-sim"), "--cluster", name, "--metas", str(metas),
               "--replicas", str(replicas), "--tables", tables, "--control-port", "0", *extra]
        # stderr kept (a crash's backtrace), one file per process.
        self.stderr_path = "/tmp/pegasus-sim-e2e-%s-%s.err" % (name, uuid.uuid4().hex[:8])
        self.stderr = open(self.stderr_path, "wb")
        # A crash prints its backtrace into that file (Swift's runtime backtracer).
        env = dict(os.environ, SWIFT_BACKTRACE="enable=yes,interactive=no,color=no")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("pegasus-sim did not start (exit %s): %s" % (self.proc.wait(10), cmd))
        self.info = json.loads(line)
        self.metas = self.info["metas"]
        self.replicas = self.info["replicas"]
        self.control = self.info["control"]
        self.tables = self.info["tables"]

    def ctl(self, path):
        status, body = http_get(self.control, path)
        assert status == 200, (path, status, body)
        return json.loads(body) if body.strip().startswith(("{", "[")) else body

    def stats(self):
        return self.ctl("/stats")

    def query_count(self):
        return sum(m["query_config"] for m in self.stats()["metas"])

    def stop(self):
        # Died on its own: a fault signal (SIGSEGV, SIGILL, SIGBUS, SIGABRT, SIGTRAP) before any stop.
        if not getattr(self, "stopped", False) and self.proc.poll() is not None \
                and self.proc.returncode in (-4, -5, -6, -7, -11):
            record_sim_crash(self)
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.stderr.close()


class Proxy:
    """One meta-proxy serve process."""

    def __init__(self, args, log_path=None):
        self.port, self.admin_port = free_ports(2)
        self.addr = "127.0.0.1:%d" % self.port
        self.admin = "127.0.0.1:%d" % self.admin_port
        self.log_path = log_path or "/tmp/meta-proxy-e2e-%s.log" % uuid.uuid4().hex[:8]
        self.args = args
        self.start()

    def start(self):
        cmd = [_bin("META_PROXY_BIN", "meta-proxy"), "serve", "--listen", self.addr,
               "--admin-listen", self.admin, *self.args]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.proc.poll() is None and http_get(self.admin, "/readyz", 1)[0] == 200,
                 timeout=30, what="meta-proxy ready (%s)" % self.log_path)

    def metrics(self):
        return http_get(self.admin, "/metrics")[1]

    def stop(self, sig_term=True):
        if self.proc.poll() is None:
            self.proc.terminate() if sig_term else self.proc.kill()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        return self.proc.returncode

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def diagnosis(self, lines=80):
        """For a failed test's report: running or how it ended, and the log's last lines."""
        code = self.proc.poll()
        state = "running" if code is None else ("killed by signal %d" % -code if code < 0 else "exited %d" % code)
        try:
            tail = self.logs().splitlines()[-lines:]
        except OSError as e:
            tail = ["(log unreadable: %s)" % e]
        return "pid %d, %s, log %s" % (self.proc.pid, state, self.log_path), "\n".join(tail)


def meta_proxy(*args, check=True):
    """Runs a meta-proxy CLI command; returns CompletedProcess.

    A command that got no ZooKeeper session at all (the shared test server starved on a loaded
    2-core machine) changed nothing; it is run once more before its result counts."""
    cmd = [_bin("META_PROXY_BIN", "meta-proxy"), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0 and "cannot connect to ZooKeeper" in r.stderr and "no session" in r.stderr:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError("meta-proxy %s failed (%d): %s %s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def pyclient(meta, tables, ops="setgetremove", tag="x", timeout=2000):
    """Runs the real pypegasus3 client in a subprocess; returns its JSON result."""
    cmd = [sys.executable, os.path.join(HERE, "pyclient_ops.py"), "--ops", ops, "--tag", tag,
           "--timeout", str(timeout)]
    for m in ([meta] if isinstance(meta, str) else meta):
        cmd += ["--meta", m]
    for t in tables:
        cmd += ["--table", t]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    assert lines, "pyclient printed nothing: rc=%d stderr=%s" % (r.returncode, r.stderr[-2000:])
    return json.loads(lines[-1])


@pytest.fixture(scope="session")
def zk():
    addr = os.environ.get("ZK_ADDRESS")
    if not addr:
        pytest.fail("ZK_ADDRESS is not set: run the tests through scripts/test.sh")
    return addr


@pytest.fixture
def zk_root():
    return "/e2e-%s" % uuid.uuid4().hex[:10]


@pytest.fixture
def sims():
    started = []

    def make(name, tables, **kw):
        s = Sim(name, tables, **kw)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


def attach_proxies(request, started):
    """Lets a failed test's report show every proxy it started (see pytest_runtest_makereport)."""
    request.node.meta_proxies = started


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report ends with each proxy's state (running, exited, killed) and log tail."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        for index, proxy in enumerate(getattr(item, "meta_proxies", [])):
            title, tail = proxy.diagnosis()
            report.sections.append(("meta-proxy %d: %s" % (index, title), tail))


@pytest.fixture
def proxies(request):
    started = []
    attach_proxies(request, started)

    def make(*args):
        p = Proxy(list(args))
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()
