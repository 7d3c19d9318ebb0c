"""`meta-proxy status`: the fleet under a ZooKeeper root, read from the instance registry
(<root>/.meta-proxy/instances/<id>, InstanceRecord JSON) in a real ZooKeeper: one line per instance,
then the tables some instance routes off the declared primary or that instances route differently,
with what each instance routes; --json too."""
import json
import os
import subprocess

import pytest

from conftest import ROOT, meta_proxy, wait_for

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"


def zkcli(zk, *args):
    r = subprocess.run([ZKCLI, "-server", zk, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def record(instance, decider, routes, started="2026-01-02T03:04:05.678Z"):
    return json.dumps({
        "admin": "127.0.0.1:9%s" % instance[-1], "clusters": {"clusterA": {"last_alive_ms_ago": None, "state": "down",
                                                                           "state_for_ms": 5000}},
        "decider": decider, "host": "host-" + instance, "instance": instance, "listen": "0.0.0.0:34601",
        "pid": 4242, "route_source": "zookeeper", "routes": routes, "started_at": started,
        "version": "1.2.3", "written_at": "2026-01-02T03:05:00.123Z"}, separators=(",", ":"))


def status(zk, zk_root, *extra):
    return meta_proxy("status", "--zk", zk, "--zk-root", zk_root, *extra).stdout


def test_status_of_an_empty_root(zk, zk_root):
    out = status(zk, zk_root)
    assert out.splitlines()[0] == "fleet under %s: 0 instances" % zk_root, out
    assert "no instance registered" in out
    assert "every instance routes" not in out  # nothing to compare


def test_status_shows_instances_and_tables_off_the_primary(zk, zk_root):
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", "127.0.0.1:1",
               "--backup", "clusterB=127.0.0.1:2", "--zk", zk, "--zk-root", zk_root)
    meta_proxy("route", "set", "t2", "--cluster", "clusterA", "--meta", "127.0.0.1:1",
               "--backup", "clusterB=127.0.0.1:2", "--zk", zk, "--zk-root", zk_root)
    base = zk_root + "/.meta-proxy"
    # `route set` of a table with backups created `.meta-proxy` already (its protected-table index).
    for path in (base, base + "/instances"):
        try:
            zkcli(zk, "create", path, "")
        except AssertionError as e:
            assert "Node already exists" in str(e), e
    # p1 follows the failover node (t1 on clusterB); p2 still routes t1 to the primary: disagreement.
    zkcli(zk, "create", base + "/instances/p1",
          record("p1", True, {"t1": {"cluster": "clusterB", "version": 3}, "t2": {"cluster": "clusterA", "version": -1}}))
    zkcli(zk, "create", base + "/instances/p2",
          record("p2", False, {"t1": {"cluster": "clusterA", "version": -1}, "t2": {"cluster": "clusterA", "version": -1}}))
    zkcli(zk, "create", base + "/instances/p3", "not json")

    out = status(zk, zk_root)
    lines = out.splitlines()
    assert lines[0] == "fleet under %s: 2 instances" % zk_root, out
    assert lines[1].split() == ["INSTANCE", "HOST", "ADMIN", "VERSION", "UPTIME", "ROUTES", "DECIDER"], out
    p1 = next(l for l in lines if l.strip().startswith("p1 "))
    p2 = next(l for l in lines if l.strip().startswith("p2 "))
    assert p1.split()[1:4] == ["host-p1", "127.0.0.1:91", "1.2.3"] and p1.split()[5:] == ["zookeeper", "yes"], p1
    assert p2.split()[-1] == "-", p2
    assert any("unreadable instance node p3" in l for l in lines), out
    assert "t1  declared clusterA  (on a backup, INSTANCES DISAGREE)" in out, out
    assert "    p1 -> clusterB  (failover node v3)" in out
    assert "    p2 -> clusterA  (no failover node)" in out
    assert "t2 " not in out.split("tables on a backup or in disagreement:")[1]  # on its primary everywhere

    doc = json.loads(status(zk, zk_root, "--json"))
    assert [i["instance"] for i in doc["instances"]] == ["p1", "p2"]
    assert doc["instances"][0]["admin"] == "127.0.0.1:91" and doc["instances"][0]["decider"] is True
    assert doc["instances"][0]["uptime_s"] > 0
    assert list(doc["unreadable"]) == ["p3"]
    (t1,) = doc["tables"]
    assert t1 == {"table": "t1", "declared": "clusterA", "on_backup": True, "in_disagreement": True,
                  "routes": {"p1": {"cluster": "clusterB", "version": 3}, "p2": {"cluster": "clusterA", "version": -1}}}


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "Sources", "FailoverControl", "Fleet", "InstancePublisher.swift")),
                    reason="instances do not register themselves in this build (no InstancePublisher)")
def test_status_lists_running_instances(proxies, zk, zk_root, tmp_path):
    policies = tmp_path / "policies"
    policies.mkdir()
    started = [proxies("--zk", zk, "--zk-root", zk_root, "--policies", str(policies)) for _ in range(2)]
    doc = wait_for(lambda: (lambda d: d if len(d["instances"]) == 2 else None)(
        json.loads(status(zk, zk_root, "--json"))), timeout=30, what="two instances registered")
    assert sorted(i["admin"] for i in doc["instances"]) == sorted(p.admin for p in started)
    assert sum(1 for i in doc["instances"] if i["decider"]) <= 1
    out = status(zk, zk_root)
    for p in started:
        assert p.admin in out, out
