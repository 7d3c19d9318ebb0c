"""Failover end to end: two simulated clusters (A primary of t1, B its duplication backup), routes
and failover state in a real ZooKeeper, two meta-proxy instances deciding through one elected
decider, policy files in a temporary directory, the real pypegasus3 client.

Timing is generous: policies probe every 300 ms with fall 2 and min_down 1 s, replica_lease 2 s (no
switch sooner after a MetaServer of the primary last answered; test_failover_quorum.py tests the lease
itself), and every wait polls with a long timeout; nothing asserts speed."""
import os
import time

import pytest

from conftest import meta_proxy, pyclient, wait_for
from failover_status import active, cluster_state, decider_of, decisions, history, lag_observed, status, wait_active

POLICY = """name: {name}
tables: ["t1"]
kind: {kind}
probe:    {{ interval: {interval}, timeout: 150ms, fall: 2, rise: 2 }}
switch:   {{ min_down: {min_down}, cooldown: {cooldown}, replica_lease: {replica_lease} }}
guard:    {{ max_lag_decrees: {max_lag}, max_lag_age: 30s }}
"""

FAILBACK = """failback: { after_healthy: 0s, require_reverse_duplication: false }
"""


def write_policy(directory, kind, cooldown="30s", max_lag=1000, name="t1-policy", interval="300ms",
                 min_down="1s", replica_lease="2s"):
    text = POLICY.format(name=name, kind=kind, cooldown=cooldown, max_lag=max_lag, interval=interval,
                         min_down=min_down, replica_lease=replica_lease)
    if kind == "auto-failover-failback":
        text += FAILBACK
    path = os.path.join(directory, "t1.yaml")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def app_id(proxy, table="t1"):
    res = pyclient(proxy.addr, [table], ops="init")
    assert res[table].get("init"), res
    return res[table]["app_id"]


@pytest.fixture
def clusters(sims, zk, zk_root):
    a = sims("clusterA", "t1:4")
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    return a, b


@pytest.fixture
def policies(tmp_path):
    directory = tmp_path / "policies"
    directory.mkdir()
    return str(directory)


@pytest.fixture
def start(proxies, zk, zk_root, policies):
    def make(n=2):
        return [proxies("--zk", zk, "--zk-root", zk_root, "--policies", policies) for _ in range(n)]
    return make


def warm(instances):
    """Every instance sees both clusters up and a known A -> B lag (kept after A dies)."""
    for p in instances:
        wait_for(lambda: cluster_state(p, "clusterA") == "up" and cluster_state(p, "clusterB") == "up"
                 and lag_observed(p) is not None, timeout=30, what="warm prober on %s" % p.admin)
    wait_for(lambda: decider_of(instances), timeout=30, what="one decider")


def test_primary_killed_both_route_to_backup_and_stay_after_it_returns(clusters, policies, start):
    a, b = clusters
    write_policy(policies, "auto-failover")
    instances = start()
    warm(instances)
    for p in instances:
        assert app_id(p) == a.tables["t1"]["app_id"]

    a.ctl("/kill-all")
    for p in instances:
        wait_active(p, "clusterB", timeout=30, what="t1 on clusterB via %s" % p.admin)
    for p in instances:
        assert app_id(p) == b.tables["t1"]["app_id"]
    record = history(instances[0])[-1]
    assert (record["from"], record["to"], record["trigger"]) == ("clusterA", "clusterB", "automatic")
    assert record["reason"]["code"] == "effective_down"

    # A comes back; kind auto-failover never fails back: t1 stays on B.
    a.ctl("/revive-all")
    for p in instances:
        wait_for(lambda: cluster_state(p, "clusterA") == "up", timeout=30, what="clusterA up again")
    time.sleep(3)  # several decider ticks with A up
    for p in instances:
        assert active(p) == "clusterB"
        assert app_id(p) == b.tables["t1"]["app_id"]
    assert len(history(instances[0])) == 1
    assert sum(decisions(p, "switch") for p in instances) == 1


def test_flapping_primary_switches_at_most_once_within_cooldown(clusters, policies, start):
    a, b = clusters
    # Quick to switch (down for 2 probes of 200 ms + 200 ms) and failback as soon as A is up again:
    # only the 30 s cooldown holds a primary flapping every second back.
    write_policy(policies, "auto-failover-failback", cooldown="30s",
                 interval="200ms", min_down="200ms")
    instances = start()
    warm(instances)
    deadline = time.time() + 15
    while time.time() < deadline:
        a.ctl("/kill-all")
        time.sleep(1)
        a.ctl("/revive-all")
        time.sleep(1)
    time.sleep(2)
    # With cooldown 0 the same run makes a dozen switches; 30 s allows one.
    for p in instances:
        assert len(history(p)) <= 1, history(p)
    assert sum(decisions(p, "switch") + decisions(p, "switch_back") for p in instances) <= 1


def test_lag_above_guard_refuses_and_logs(clusters, policies, start):
    a, b = clusters
    write_policy(policies, "auto-failover", max_lag=100)
    a.ctl("/write?table=t1&n=500")
    instances = start()
    warm(instances)
    for p in instances:
        wait_for(lambda: lag_observed(p) == 500, timeout=30, what="lag 500 observed")

    a.ctl("/kill-all")
    decider = wait_for(lambda: decider_of(instances), timeout=30, what="decider")
    # Until the other instance's record says A is down too (it publishes within a second of its own
    # verdict), the refusal may be no_quorum; once both observers agree, the guard refuses.
    refusal = wait_for(lambda: next((r for r in status(decider)["refusals"]
                                     if r["table"] == "t1" and r["reason"]["code"] == "lag_too_high"), None),
                       timeout=30, what="lag_too_high refusal in /failover")
    assert "500" in refusal["reason"]["text"]
    assert refusal["cluster"] == "clusterA"
    wait_for(lambda: "Failover switch refused" in decider.logs(), timeout=10, what="refusal logged")
    assert decisions(decider, "refuse") >= 1
    time.sleep(2)
    for p in instances:
        assert active(p) is None  # no document: still on the primary
    assert sum(decisions(p, "switch") for p in instances) == 0


def observation(proxy):
    for d in status(proxy)["health"]["duplications"]:
        if d["primary_cluster"] == "clusterA" and d["backup_cluster"] == "clusterB":
            return d
    return None


@pytest.fixture
def clusters_v25(sims, zk, zk_root):
    """Like `clusters`, but A answers duplication queries as Pegasus 2.4/2.5 (no partition_states):
    lag is only known from A's primary ReplicaServers' /replica/duplication."""
    a = sims("clusterA", "t1:4", extra=["--dup-shape", "v25"])
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    a.ctl("/write?table=t1&n=50")
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    return a, b


def test_v25_primary_killed_switches_with_lag_from_replicas(clusters_v25, policies, start, zk, zk_root):
    a, b = clusters_v25
    write_policy(policies, "auto-failover")
    instances = start(1)
    warm(instances)
    (p,) = instances
    seen = wait_for(lambda: (lambda o: o if o and o.get("max_lag") == 5 else None)(observation(p)),
                    timeout=30, what="lag 5 read from the replicas")
    assert seen["lag_source"] == "replica_http" and seen["status"] == "DS_LOG"
    wait_for(lambda: "max lag 5 decrees (replica_http)" in meta_proxy(
        "failover", "status", "t1", "--zk", zk, "--zk-root", zk_root).stdout,
        timeout=30, what="lag source in `failover status`")

    a.ctl("/kill-all")
    wait_active(p, "clusterB", timeout=30, what="t1 on clusterB")
    assert app_id(p) == b.tables["t1"]["app_id"]
    record = history(p)[-1]
    assert (record["from"], record["to"], record["trigger"]) == ("clusterA", "clusterB", "automatic")


def test_v25_lag_above_guard_refuses(clusters_v25, policies, start):
    a, b = clusters_v25
    write_policy(policies, "auto-failover", max_lag=100)
    a.ctl("/write?table=t1&n=500")
    instances = start(1)
    warm(instances)
    (p,) = instances
    wait_for(lambda: lag_observed(p) == 505, timeout=30, what="lag 505 read from the replicas")
    assert observation(p)["lag_source"] == "replica_http"

    a.ctl("/kill-all")
    refusal = wait_for(lambda: next((r for r in status(p)["refusals"] if r["table"] == "t1"), None),
                       timeout=30, what="refusal in /failover")
    assert refusal["reason"]["code"] == "lag_too_high" and "505" in refusal["reason"]["text"]
    assert active(p) is None
    assert decisions(p, "switch") == 0


def test_decider_killed_other_instance_takes_over_and_decides(clusters, policies, start):
    a, b = clusters
    write_policy(policies, "auto-failover")
    instances = start()
    warm(instances)
    decider = decider_of(instances)
    other = next(p for p in instances if p is not decider)
    assert status(other)["election"]["decider_id"] == status(decider)["instance_id"]

    decider.stop(sig_term=False)  # SIGKILL: its session must expire
    wait_for(lambda: status(other)["is_decider"], timeout=60, what="other instance decides")
    assert status(other)["election"]["decider_id"] == status(other)["instance_id"]

    a.ctl("/kill-all")
    wait_active(other, "clusterB", timeout=30, what="new decider switches t1")
    assert history(other)[-1]["decided_by"] == status(other)["instance_id"]
    assert app_id(other) == b.tables["t1"]["app_id"]


def test_policy_reload_changes_kind(clusters, policies, start):
    a, b = clusters
    write_policy(policies, "manual")
    instances = start(1)
    warm(instances)
    p = instances[0]
    assert [x["kind"] for x in status(p)["policies"]["loaded"]] == ["manual"]

    a.ctl("/kill-all")
    wait_for(lambda: cluster_state(p, "clusterA") == "down", timeout=30, what="clusterA down")
    time.sleep(3)  # well past min_down: manual never switches by itself
    assert active(p) is None

    write_policy(policies, "auto-failover")
    wait_for(lambda: [x["kind"] for x in status(p)["policies"]["loaded"]] == ["auto-failover"],
             timeout=30, what="policy reloaded")
    wait_active(p, "clusterB", timeout=30, what="t1 switched after reload")
    assert app_id(p) == b.tables["t1"]["app_id"]
