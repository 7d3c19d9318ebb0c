"""Correct health inputs end to end (two simulated clusters, real ZooKeeper, two meta-proxy
instances): one table's state never decides a cluster, and no switch goes to a cluster whose table
denies client requests (`replica.deny_client_request`) unless forced.

Policies probe every 300 ms with fall 2 and min_down 1 s; every wait polls with a long timeout."""
import time

import pytest

from conftest import meta_proxy, wait_for
from failover_status import active, cluster_state, decider_of, decisions, status, wait_active
from test_failover import clusters, policies, start, warm, write_policy  # noqa: F401 (fixtures)

DENY = "replica.deny_client_request"


def verdict(proxy, cluster):
    return (status(proxy)["health"]["clusters"].get(cluster, {}).get("last_verdict") or {}).get("reason")


def denied_tables(proxy, cluster):
    return status(proxy)["health"]["clusters"].get(cluster, {}).get("denied_tables")


def refusal(proxy, table="t1"):
    return next((r for r in status(proxy)["refusals"] if r["table"] == table), None)


def failover(zk, zk_root, *args, check=True):
    return meta_proxy("failover", *args, "--zk", zk, "--zk-root", zk_root, check=check)


def test_probe_table_dropped_is_a_table_problem_the_cluster_stays_up(clusters, policies, start):
    a, b = clusters
    write_policy(policies, "auto-failover")
    instances = start()
    warm(instances)

    # t1 is the RPC probe's table on clusterA (the only table routed there). Dropping it makes the
    # leader answer ERR_OBJECT_NOT_FOUND: a table problem, not cluster death.
    a.ctl("/drop-table?table=t1")
    for p in instances:
        wait_for(lambda: verdict(p, "clusterA") == "probeTableUnavailable", timeout=30,
                 what="a round saw the dropped probe table on %s" % p.admin)
    # Longer than fall (2 × 300 ms) + min_down (1 s) several times over: a cluster judged by that
    # table would have been switched away from by now.
    time.sleep(4)
    for p in instances:
        assert cluster_state(p, "clusterA") == "up"
        assert verdict(p, "clusterA") == "probeTableUnavailable"
        assert active(p) is None
    assert sum(decisions(p, "switch") for p in instances) == 0

    # The cluster really dying is still seen.
    a.ctl("/kill-all")
    for p in instances:
        wait_for(lambda: cluster_state(p, "clusterA") == "down", timeout=30, what="clusterA down")


def test_backup_denying_client_requests_is_never_switched_to_unless_forced(clusters, policies, start, zk, zk_root):
    a, b = clusters
    write_policy(policies, "auto-failover")
    b.ctl("/app-env?table=t1&key=%s&value=reconfig*all" % DENY)
    instances = start()
    warm(instances)
    for p in instances:
        wait_for(lambda: denied_tables(p, "clusterB") == {"t1": "reconfig*all"}, timeout=30,
                 what="clusterB's denial seen by %s" % p.admin)

    # By hand: refused, naming the env.
    refused = failover(zk, zk_root, "switch", "t1", "--to", "clusterB", "--drill", check=False)
    assert refused.returncode != 0
    assert "target_denies_requests" in refused.stderr and "reconfig*all" in refused.stderr, refused.stderr

    # Automatically: the primary dies, the only backup denies requests: refused.
    a.ctl("/kill-all")
    decider = wait_for(lambda: decider_of(instances), timeout=30, what="decider")
    found = wait_for(lambda: refusal(decider), timeout=30, what="refusal in /failover")
    assert found["reason"]["code"] == "target_denies_requests", found
    assert "replica.deny_client_request=reconfig*all" in found["reason"]["text"]
    for p in instances:
        assert active(p) is None

    # The env cleared: the next table list shows it, and the switch happens.
    b.ctl("/app-env?table=t1&key=%s&value=" % DENY)
    for p in instances:
        wait_active(p, "clusterB", timeout=30, what="t1 on clusterB once it stops denying")
    assert sum(decisions(p, "switch") for p in instances) == 1


def test_duplication_not_observed_yet_is_not_no_duplication(clusters, policies, start, zk, zk_root):
    a, b = clusters
    write_policy(policies, "auto-failover")
    # The primary is dead before any instance could read t1's duplication: it is not observed yet,
    # which is not the same as "no duplication".
    a.ctl("/kill-all")
    instances = start()
    decider = wait_for(lambda: decider_of(instances), timeout=30, what="decider")
    wait_for(lambda: cluster_state(decider, "clusterB") == "up", timeout=30, what="clusterB up")
    found = wait_for(lambda: (refusal(decider) or {}).get("reason", {}).get("code") == "duplication_not_observed"
                     and refusal(decider), timeout=30,
                     what=lambda: "automatic switch refused: not observed yet (refusal: %r)" % (refusal(decider),))
    assert "first duplication read waits for clusterA to be up" in found["reason"]["text"], found

    def drill():
        return failover(zk, zk_root, "switch", "t1", "--to", "clusterB", "--drill", check=False)
    refused = wait_for(lambda: (lambda r: "duplication_not_observed" in r.stderr and r)(drill()), timeout=30,
                       what="drill refused as not observed yet")
    assert refused.returncode != 0 and "no duplication" not in refused.stderr, refused.stderr
    assert "duplication not observed yet" in refused.stderr, refused.stderr

    # The primary returns: its duplication is read, and the drill passes the guard.
    a.ctl("/revive-all")
    done = wait_for(lambda: (lambda r: r.returncode == 0 and r)(drill()), timeout=60, what="drill allowed")
    assert "clusterA -> clusterB" in done.stdout, done.stdout
    for p in instances:
        wait_active(p, "clusterB", timeout=30, what="t1 drilled to clusterB via %s" % p.admin)
