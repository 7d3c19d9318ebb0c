"""Failover that cannot split writes, end to end: the replica lease (no automatic switch before a
MetaServer of the primary was last seen alive + `switch.replica_lease`) and the observer quorum (an
instance cut off from the primary's MetaServers alone never switches) with real processes, a real
ZooKeeper, simulated clusters and, for the partition, a Linux network namespace.

Every wait polls with a generous deadline; the lease test asserts a lower bound (no switch before the
lease) exactly and the upper bound generously."""
import datetime
import json
import signal
import os
import socket
import subprocess
import threading
import time
import uuid

import pytest

from conftest import Proxy, Sim, _bin, free_port, free_ports, http_get, meta_proxy, wait_for
from failover_status import active, cluster_state, decider_of, lag_observed, status, wait_active

POLICY = """name: t1-policy
tables: ["t1"]
kind: auto-failover
probe:    {{ interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }}
switch:   {{ min_down: 1s, cooldown: 30s, replica_lease: {lease}, quorum: majority }}
guard:    {{ max_lag_decrees: 1000, max_lag_age: 120s }}
"""


def write_policy(directory, lease):
    path = os.path.join(directory, "t1.yaml")
    with open(path + ".tmp", "w") as f:
        f.write(POLICY.format(lease=lease))
    os.replace(path + ".tmp", path)


def last_answered(proxy, cluster):
    """The end of the instance's latest probe round in which a MetaServer of `cluster` answered
    (epoch seconds; `GET /failover` has whole seconds, so this is at most the real time)."""
    verdicts = status(proxy)["health"]["clusters"][cluster]["history"]["verdicts"]
    answered = [v["at"] for v in verdicts if v["verdict"]["reason"] != "noMetaAnswered"]
    assert answered, verdicts
    return datetime.datetime.fromisoformat(max(answered).replace("Z", "+00:00")).timestamp()


def test_lease_no_switch_before_replica_lease_then_switch(sims, zk, zk_root, proxies, tmp_path):
    a = sims("clusterA", "t1:4")
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    policies = tmp_path / "policies"
    policies.mkdir()
    write_policy(str(policies), "6s")
    p = proxies("--zk", zk, "--zk-root", zk_root, "--policies", str(policies))
    wait_for(lambda: cluster_state(p, "clusterA") == "up" and cluster_state(p, "clusterB") == "up"
             and lag_observed(p) is not None, timeout=30, what="warm prober")

    alive = last_answered(p, "clusterA")  # A's last-alive time is at least this
    killed = time.time()
    a.ctl("/kill-all")
    wait_for(lambda: cluster_state(p, "clusterA") == "down", timeout=30, what="clusterA down")
    detected = time.time()
    switched = None
    deadline = time.time() + 60
    while time.time() < deadline:
        if active(p) == "clusterB":
            switched = time.time()
            break
        time.sleep(0.05)
    assert switched is not None, "no switch within 60 s of the kill"
    # The lease counts from the last probe round a MetaServer of A answered, which is no earlier
    # than the last one seen before the kill: never a switch sooner than that + 6 s.
    assert switched >= alive + 6, "switched %.2fs after A was last seen alive, before replica_lease 6s" % (
        switched - alive)
    # Without the lease it would have switched about min_down after detection; with it, soon after
    # the lease (generous on a loaded machine).
    assert switched - detected > 1.5, (switched - detected)
    assert switched - killed < 6 + 20, (switched - killed)
    record = status(p)["effective_routes"][0]["history"][-1]
    assert (record["from"], record["to"], record["reason"]["code"]) == ("clusterA", "clusterB", "effective_down")


# --- asymmetric partition in a network namespace -------------------------------------------------

NET = "10.231"


def sh(*args, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
    return r


class Relay(threading.Thread):
    """Forwards TCP from `listen` (an address the namespace reaches) to `target` (ZooKeeper on
    loopback, which the namespace cannot reach)."""

    def __init__(self, host, target):
        super().__init__(daemon=True)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((host, 0))
        self.server.listen(64)
        self.address = "%s:%d" % (host, self.server.getsockname()[1])
        thost, tport = target.rsplit(":", 1)
        self.target = (thost, int(tport))
        self.closed = False

    def run(self):
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.server.close()


class NetnsProxy(Proxy):
    """A meta-proxy serve process inside network namespace `ns`, listening on `host`."""

    def __init__(self, ns, host, args):
        self.ns = ns
        self.host = host
        super().__init__(args)

    def start(self):
        self.port, self.admin_port = free_ports(2)
        self.addr = "%s:%d" % (self.host, self.port)
        self.admin = "%s:%d" % (self.host, self.admin_port)
        cmd = ["ip", "netns", "exec", self.ns, _bin("META_PROXY_BIN", "meta-proxy"), "serve",
               "--listen", self.addr, "--admin-listen", self.admin, *self.args]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.proc.poll() is None and http_get(self.admin, "/readyz", 1)[0] == 200,
                 timeout=30, what="meta-proxy in netns ready (%s)" % self.log_path)


@pytest.fixture
def netns():
    """A network namespace joined to the root namespace by a veth pair: the root side is
    NET.0.1, the namespace side NET.0.2 (default route via the root side). Cluster addresses
    NET.1.1 (A) and NET.2.1 (B) live on the root namespace's loopback, reachable from both."""
    tag = uuid.uuid4().hex[:6]
    ns, outer, inner = "mpq-" + tag, "mpq%so" % tag, "mpq%si" % tag
    r = sh("ip", "netns", "add", ns, check=False)
    if r.returncode != 0:
        pytest.skip("cannot create a network namespace (needs root): %s" % r.stderr.strip())
    added = []
    try:
        sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
        sh("ip", "link", "set", inner, "netns", ns)
        sh("ip", "addr", "add", NET + ".0.1/24", "dev", outer)
        sh("ip", "link", "set", outer, "up")
        for cidr in (NET + ".1.1/32", NET + ".2.1/32"):
            sh("ip", "addr", "replace", cidr, "dev", "lo")
            added.append(cidr)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", NET + ".0.2/24", "dev", inner)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", inner, "up")
        sh("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", NET + ".0.1")
        yield ns
    finally:
        for cidr in added:
            sh("ip", "addr", "del", cidr, "dev", "lo", check=False)
        sh("ip", "link", "del", outer, check=False)
        sh("ip", "netns", "del", ns, check=False)


def refusal_of(p):
    return next((r for r in status(p)["refusals"] if r["table"] == "t1"), None)


def test_asymmetric_partition_no_quorum_then_real_death_switches(netns, zk, zk_root, tmp_path):
    started = []
    relay = Relay(NET + ".0.1", zk)
    relay.start()
    try:
        a = Sim("clusterA", "t1:4", extra=["--host", NET + ".1.1"])
        started.append(a)
        b = Sim("clusterB", "t1:4", extra=["--host", NET + ".2.1", "--app-id-base", "100"])
        started.append(b)
        meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
                   "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
        a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
        policies = tmp_path / "policies"
        policies.mkdir()
        write_policy(str(policies), "3s")

        # The instance in the namespace starts first and becomes the decider (lowest election node).
        inside = NetnsProxy(netns, NET + ".0.2",
                            ["--zk", relay.address, "--zk-root", zk_root, "--policies", str(policies)])
        started.append(inside)
        wait_for(lambda: status(inside)["is_decider"], timeout=30, what="namespace instance decides")
        outside = Proxy(["--zk", zk, "--zk-root", zk_root, "--policies", str(policies)])
        started.append(outside)
        instances = [inside, outside]
        for p in instances:
            wait_for(lambda: cluster_state(p, "clusterA") == "up" and cluster_state(p, "clusterB") == "up"
                     and lag_observed(p) is not None, timeout=40, what="warm prober on %s" % p.admin)
        assert decider_of(instances) is inside

        # Cut the namespace off from A's MetaServers only: it sees A down, the other instance sees A up.
        sh("ip", "netns", "exec", netns, "ip", "route", "add", "blackhole", NET + ".1.1/32")
        wait_for(lambda: cluster_state(inside, "clusterA") == "down", timeout=30, what="A down from the namespace")
        refusal = wait_for(lambda: refusal_of(inside), timeout=30, what="no_quorum refusal")
        assert refusal["reason"]["code"] == "no_quorum", refusal
        assert "1 of 2 live observers see primary clusterA down" in refusal["reason"]["text"], refusal
        wait_for(lambda: "no_quorum" in inside.logs(), timeout=10, what="no_quorum logged")
        time.sleep(4)  # past min_down + replica_lease: a lone observer would have switched by now
        assert cluster_state(outside, "clusterA") == "up"
        for p in instances:
            assert active(p) is None, "switched on one observer's view"
        r = meta_proxy("failover", "status", "t1", "--zk", zk, "--zk-root", zk_root)
        assert active(inside) is None and "clusterA" in r.stdout

        # A really dies: both observers see it down; after the lease, the decider switches.
        a.ctl("/kill-all")
        for p in instances:
            wait_active(p, "clusterB", timeout=60, what="t1 on clusterB via %s" % p.admin)
        record = status(outside)["effective_routes"][0]["history"][-1]
        assert (record["from"], record["to"], record["trigger"]) == ("clusterA", "clusterB", "automatic")
        assert record["decided_by"] == status(inside)["instance_id"]
    finally:
        for s in reversed(started):
            s.stop()
        relay.close()


# --- the instance record's lifecycle --------------------------------------------------------------

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"


def zk_children(zk, path):
    """The children of `path` by the ZooKeeper package's own CLI, or None when the node is absent."""
    r = subprocess.run([ZKCLI, "-server", zk, "ls", path], capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    if "Node does not exist" in out or "NoNode" in out:
        return None
    lines = [l for l in out.splitlines() if l.startswith("[") and l.endswith("]")]
    assert lines, out[-2000:]
    return [c.strip() for c in lines[-1][1:-1].split(",") if c.strip()]


def zk_get(zk, path):
    r = subprocess.run([ZKCLI, "-server", zk, "get", path], capture_output=True, text=True, timeout=60)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else None


@pytest.mark.skipif(not os.path.exists(ZKCLI), reason="the zookeeper package's zkCli.sh is not installed")
def test_instance_record_published_recreated_after_session_loss_removed_on_shutdown(
        sims, zk, zk_root, proxies, tmp_path):
    a = sims("clusterA", "t1:4")
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    policies = tmp_path / "policies"
    policies.mkdir()
    write_policy(str(policies), "20s")
    p = proxies("--zk", zk, "--zk-root", zk_root, "--policies", str(policies))
    instance = status(p)["instance_id"]
    directory = zk_root + "/.meta-proxy/instances"
    wait_for(lambda: instance in (zk_children(zk, directory) or []), timeout=30, what="instance record")
    record = wait_for(lambda: (lambda r: r if r and r["clusters"].get("clusterA", {}).get("state") == "up"
                               and r["routes"].get("t1") else None)(zk_get(zk, directory + "/" + instance)),
                      timeout=30, what="record with clusterA up and t1's route")
    assert record["instance"] == instance and record["route_source"] == "zookeeper"
    assert record["routes"]["t1"] == {"cluster": "clusterA", "version": -1}
    assert record["listen"] == p.addr and record["admin"] == p.admin and record["decider"] is True
    assert record["clusters"]["clusterA"]["last_alive_ms_ago"] < 10000

    # Paused past its session timeout: the session expires and the ephemeral record goes with it.
    p.proc.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: instance not in (zk_children(zk, directory) or []), timeout=60,
                 what="record gone with the session")
    finally:
        p.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: instance in (zk_children(zk, directory) or []), timeout=60,
             what="record recreated on the new session")

    p.stop()
    assert instance not in (zk_children(zk, directory) or [])
