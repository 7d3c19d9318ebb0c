#!/usr/bin/env python3
"""Switch time after a real primary death with the shipped default policy's timing.

Two meta-proxy instances (one ZooKeeper root, so the observer quorum is 2 of 2), two simulated
clusters (t1 on clusterA, duplicated to clusterB with lag 0), the policy of policies/default.yaml
with `kind: auto-failover` (probe 2s x fall 3, min_down 10s, replica_lease 20s, quorum majority).
clusterA's MetaServers and ReplicaServers are killed at T0; prints when each instance routes t1 to
clusterB, and the decision's reason. Needs the debug (or release) binaries and ZooKeeper:

    ZK_ADDRESS=127.0.0.1:2181 META_PROXY_BIN=.build/debug/meta-proxy PEGASUS_SIM_BIN=.build/debug/pegasus-sim \\
        python3 Benchmarks/switch-time.py
"""
import json
import os
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "e2e"))

from conftest import Proxy, Sim, meta_proxy, wait_for  # noqa: E402
from failover_status import active, history  # noqa: E402
from test_failover import warm  # noqa: E402

ROOT = os.path.join(HERE, "..")


def main():
    zk = os.environ["ZK_ADDRESS"]
    zk_root = "/switch-time-%s" % uuid.uuid4().hex[:8]
    work = tempfile.mkdtemp(prefix="switch-time.")
    policies = os.path.join(work, "policies")
    os.mkdir(policies)
    with open(os.path.join(ROOT, "policies", "default.yaml")) as f:
        default = f.read()
    assert "kind: manual" in default
    with open(os.path.join(policies, "default.yaml"), "w") as f:
        f.write(default.replace("kind: manual", "kind: auto-failover"))
    a = Sim("clusterA", "t1:4")
    b = Sim("clusterB", "t1:4", extra=["--app-id-base", "100"])
    instances = []
    try:
        meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
                   "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
        a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=0")
        for _ in range(2):
            instances.append(Proxy(["--zk", zk, "--zk-root", zk_root, "--policies", policies]))
        warm(instances)
        time.sleep(3)  # a few more healthy rounds: every observer's last-alive is fresh
        t0 = time.time()
        a.ctl("/kill-all")
        switched = {}
        while len(switched) < len(instances) and time.time() - t0 < 120:
            for p in instances:
                if p.admin not in switched and active(p) == "clusterB":
                    switched[p.admin] = time.time() - t0
            time.sleep(0.05)
        record = history(instances[0])[-1] if history(instances[0]) else None
        result = {
            "policy": "policies/default.yaml with kind auto-failover",
            "seconds_to_switch": {k: round(v, 2) for k, v in switched.items()},
            "reason": record and record["reason"],
        }
        print(json.dumps(result, indent=2))
    finally:
        for p in instances:
            p.stop()
        a.stop()
        b.stop()


if __name__ == "__main__":
    main()
