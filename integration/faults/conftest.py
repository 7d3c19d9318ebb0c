"""Fixtures of the fault runner: a ZooKeeper server per test module (the tests stop, pause and
restart it), two simulated clusters with routes, meta-proxy processes with a short ZooKeeper
session timeout. Binaries as in integration/e2e (META_PROXY_BIN, PEGASUS_SIM_BIN or .build/debug)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import Proxy, ZooKeeperServer, meta_proxy  # noqa: E402

# The proxies' ZooKeeper session timeout (zookeeper.timeout, ms): short, so that the tests can
# outlast it (scripts/zk.sh lets sessions be 400 ms .. 60 s).
SESSION_MS = 4000


@pytest.fixture(scope="module")
def zk_server(tmp_path_factory):
    server = ZooKeeperServer(tmp_path_factory.mktemp("zk"))
    yield server
    server.destroy()


@pytest.fixture
def zk(zk_server):
    """The module's ZooKeeper, running (a test that failed mid-fault may have left it down)."""
    zk_server.resume()
    if not zk_server.alive():
        zk_server.stop()
        zk_server.start()
    return zk_server


# The e2e suites' fixtures: a unique ZooKeeper root per test, simulated clusters stopped afterwards.
zk_root = harness.e2e.zk_root
sims = harness.e2e.sims
pytest_runtest_makereport = harness.e2e.pytest_runtest_makereport


@pytest.fixture
def clusters(sims, zk, zk_root):
    """clusterA (t1, shared, cold) and clusterB (the same plus t2, app ids from 100); routes:
    t1 and shared on A with backup B, t2 on B, cold on A (never queried before a test wants it)."""
    a = sims("clusterA", "t1:4,shared:4,cold:2")
    b = sims("clusterB", "t1:4,shared:4,cold:2,t2:4", extra=["--app-id-base", "100"])
    for table in ("t1", "shared"):
        route(zk.addr, zk_root, table, a, backup=b)
    route(zk.addr, zk_root, "t2", b)
    route(zk.addr, zk_root, "cold", a)
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    return a, b


def route(zk_addr, root, table, sim, backup=None):
    args = ["route", "set", table, "--cluster", sim.name, "--meta", ",".join(sim.metas),
            "--zk", zk_addr, "--zk-root", root]
    if backup is not None:
        args += ["--backup", "%s=%s" % (backup.name, ",".join(backup.metas))]
    for attempt in range(3):  # a ZooKeeper just (re)started on a loaded machine may be slow to take a session
        r = meta_proxy(*args, check=attempt == 2)
        if r.returncode == 0:
            return


@pytest.fixture
def policies(tmp_path):
    directory = tmp_path / "policies"
    directory.mkdir()
    return str(directory)


@pytest.fixture
def proxies(request, tmp_path, zk_root, policies):
    """make(zk_addr, meta_timeout_ms=1000, session_ms=SESSION_MS) -> a started Proxy."""
    started = []
    harness.e2e.attach_proxies(request, started)

    def make(zk_addr, meta_timeout_ms=1000, session_ms=SESSION_MS, extra_yaml=""):
        config = tmp_path / ("proxy-%d.yaml" % len(started))
        config.write_text(
            "zookeeper: { address: \"%s\", root: \"%s\", timeout: %d }\n"
            "meta: { timeout: %d }\n%s" % (zk_addr, zk_root, session_ms, meta_timeout_ms, extra_yaml))
        p = Proxy(["--config", str(config), "--policies", policies],
                  log_path=str(tmp_path / ("proxy-%d.log" % len(started))))
        started.append(p)
        return p

    yield make
    for p in started:
        if p.proc.poll() is None:
            try:
                os.kill(p.proc.pid, 18)  # SIGCONT, in case a test left it stopped
            except OSError:
                pass
        p.stop()


@pytest.fixture
def relays():
    started = []

    def make(target, **kw):
        r = harness.Relay(target, **kw)
        started.append(r)
        return r

    yield make
    for r in started:
        r.close()
