"""Failover under faults: ZooKeeper down while the primary dies, the decider partitioned from
ZooKeeper (SIGSTOP beyond its session timeout), and a lossy probe path (a relay in front of every
MetaServer of cluster A that drops connections in short windows and delays some).

Policy for t1: auto-failover, probes every 300 ms, `fall` rounds in a row before DOWN, DOWN for
`min_down` before a switch, and no sooner than `replica_lease` (2 s here, kept short so the waits stay
short) after a MetaServer of A last answered. Nothing asserts speed; waits are bounded and generous."""
import os
import re
import signal
import time

from conftest import SESSION_MS
from failover_status import active, cluster_state, decider_of, decisions, status, wait_active
from harness import Load, meta_proxy, report, wait_for, wire

POLICY = """name: t1-policy
tables: ["t1"]
kind: auto-failover
probe:    {{ interval: 300ms, timeout: 150ms, fall: {fall}, rise: 2 }}
switch:   {{ min_down: 1s, cooldown: 30s, replica_lease: 2s }}
guard:    {{ max_lag_decrees: 1000, max_lag_age: 120s }}
"""


def write_policy(directory, fall=2):
    path = os.path.join(directory, "t1.yaml")
    with open(path + ".tmp", "w") as f:
        f.write(POLICY.format(fall=fall))
    os.replace(path + ".tmp", path)


def warm(instances):
    """Every instance sees both clusters up and a lag A -> B; one decides."""
    def ready(p):
        s = status(p)
        clusters = s["health"]["clusters"]
        lag = [d for d in s["health"]["duplications"] if d["primary_cluster"] == "clusterA"]
        return all(clusters.get(c, {}).get("state") == "up" for c in ("clusterA", "clusterB")) and lag
    for p in instances:
        wait_for(lambda: ready(p), timeout=40, what="warm prober on %s" % p.admin)
    return wait_for(lambda: decider_of(instances), timeout=40, what="one decider")


def test_zookeeper_unreachable_while_primary_dies_keeps_last_route(clusters, zk, proxies, policies):
    a, b = clusters
    write_policy(policies)
    instances = [proxies(zk.addr), proxies(zk.addr)]
    warm(instances)
    load = Load(instances[0].addr, ["t1", "t2"], {"clusterA": a, "clusterB": b}).start()
    wait_for(lambda: load.count("ok") > 30, what="load running")

    zk.stop()
    stopped = time.time()
    for p in instances:
        wait_for(lambda: not status(p)["state_store"]["reachable"], timeout=30, what="state store unreachable")
    a.ctl("/kill-all")
    for p in instances:
        wait_for(lambda: cluster_state(p, "clusterA") == "down", timeout=30, what="clusterA down")
    time.sleep(4)  # well past min_down: a decision would be due, but cannot be published
    for p in instances:
        s = status(p)
        assert s["state_store"]["reachable"] is False and s["state_store"]["unreachable_since"], s["state_store"]
        assert not s["is_decider"]  # no session: nobody decides
        assert active(p) is None  # the last published state: t1 on its primary
        assert "ZooKeeper unreachable; routing keeps the last known failover state" in p.logs()
    held = time.time()

    restarting = time.time()
    zk.start()
    restarted = time.time()
    for p in instances:
        wait_active(p, "clusterB", timeout=60, what="t1 switched once ZooKeeper is back")
    switched = time.time()
    wait_for(lambda: load.first("ok", "clusterB", since=switched) is not None, what="load on clusterB")
    time.sleep(1)
    load.stop()

    summary = load.check_accounted()
    during = load.served_by(since=stopped + 0.5, until=restarting)
    assert during.get("t1", {}).get("clusterB", 0) == 0, during  # no switch while ZooKeeper was down
    assert load.served_by(since=switched).get("t1", {}).keys() == {"clusterB"}
    assert sum(decisions(p, "switch") for p in instances) == 1
    report("failover_zk_down_primary_dies", requests=sum(summary.values()), summary=summary,
           held_on_primary_s=round(held - stopped, 1), switched_after_zk_back_s=round(switched - restarted, 2), zk_start_s=round(restarted - restarting, 2),
           t1_during_outage=load.summary(since=stopped + 0.5, until=restarting))


def test_decider_partitioned_from_zookeeper_other_decides_old_stops(clusters, zk, proxies, policies):
    a, b = clusters
    write_policy(policies)
    instances = [proxies(zk.addr), proxies(zk.addr)]
    decider = warm(instances)
    other = next(p for p in instances if p is not decider)
    old_id, new_id = status(decider)["instance_id"], status(other)["instance_id"]
    load = Load(other.addr, ["t1", "t2"], {"clusterA": a, "clusterB": b}).start()
    stalled = Load(decider.addr, ["t1"], {"clusterA": a, "clusterB": b}, conns=1, read_timeout=60).start()
    wait_for(lambda: load.count("ok") > 30 and stalled.count("ok") > 10, what="load running")

    os.kill(decider.proc.pid, signal.SIGSTOP)
    stopped = time.time()
    try:
        wait_for(lambda: status(other)["is_decider"], timeout=60, what="the other instance decides")
        took_over = time.time()
        time.sleep(max(0.0, stopped + 2 * SESSION_MS / 1000 - time.time()))
    finally:
        os.kill(decider.proc.pid, signal.SIGCONT)
    resumed = time.time()
    wait_for(lambda: not status(decider)["is_decider"] and status(decider)["election"]["decider_id"] == new_id,
             timeout=60, what="the old decider stops deciding and follows the new one")
    stepped_down = time.time()
    assert "ZooKeeper session expired" in decider.logs()
    assert decider_of(instances) is other

    a.ctl("/kill-all")  # only the new decider may switch t1
    for p in instances:
        wait_active(p, "clusterB", timeout=60, what="t1 switched by the new decider")
    history = next(r["history"] for r in status(other)["effective_routes"] if r["table"] == "t1")
    assert [h["decided_by"] for h in history] == [new_id], history
    assert decisions(decider, "switch") == 0 and decisions(other, "switch") == 1
    load.stop()
    stalled.stop()

    summary = load.check_accounted()
    stalled_summary = stalled.check_accounted()  # requests to the stopped process: answered after SIGCONT
    waits = stalled.latencies(since=stopped - 0.5, until=resumed)
    report("failover_decider_partitioned", requests=sum(summary.values()) + sum(stalled_summary.values()),
           summary=summary, stopped_instance=stalled_summary, took_over_s=round(took_over - stopped, 2),
           stepped_down_after_resume_s=round(stepped_down - resumed, 2),
           stopped_requests_max_wait_s=round(max(waits), 2) if waits else None, old_decider=old_id)


def probe_failures(proxy, cluster):
    return sum(int(v) for v in re.findall(
        r'metaproxy_probe_total\{[^}]*cluster="%s"[^}]*result="(?!ok")[^"]*"[^}]*\} (\d+)' % cluster, proxy.metrics()))


def test_lossy_probe_path_below_fall_no_switch(clusters, zk, zk_root, proxies, policies, relays):
    """Each of A's MetaServers behind a relay (and named by it in leader hints): every 1.5 s a 0.3 s window cuts all connections and
    refuses new ones (about 20 % loss, at most two failed 300 ms rounds in a row), and 20 % of the
    connections are delayed 50 ms. With fall 4 that never makes A DOWN: no switch. Then the loss
    becomes total and the same policy switches (the setup can see a switch)."""
    a, b = clusters
    lossy = [relays(m) for m in a.metas]
    for i, r in enumerate(lossy):  # leader hints and redirects name the relays too
        a.ctl("/advertise?meta=%d&address=%s" % (i, r.addr))
    for table in ("t1", "shared", "cold"):  # every route naming clusterA goes through the relays
        meta_proxy("route", "set", table, "--cluster", "clusterA", "--meta", ",".join(r.addr for r in lossy),
                   "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk.addr, "--zk-root", zk_root)
    write_policy(policies, fall=4)
    p = proxies(zk.addr)
    warm([p])
    load = Load(p.addr, ["t1"], {"clusterA": a, "clusterB": b}).start()
    failures_before = probe_failures(p, "clusterA")
    for r in lossy:
        r.lossy(delay=0.2, delay_s=0.05, windows=(1.5, 0.3))
    started = time.time()
    time.sleep(12)
    assert active(p) is None and decisions(p, "switch") == 0, status(p)["effective_routes"]
    assert cluster_state(p, "clusterA") == "up"
    failed_probes = probe_failures(p, "clusterA") - failures_before
    lost = {k: sum(r.counts[k] for r in lossy) for k in ("accepted", "dropped", "delayed", "cut")}
    assert failed_probes > 0 and lost["dropped"] + lost["cut"] > 0, (failed_probes, lost)  # loss was seen
    lossy_until = time.time()

    for r in lossy:
        r.lossy(windows=(1.0, 1.0))  # everything lost
    try:
        wait_active(p, "clusterB", timeout=60, what="switch once the loss is total")
    except AssertionError as e:
        raise AssertionError("%s\nrelays=%s sim=%s counts=%s" % (
            e, [r.addr for r in lossy], a.metas, [r.counts for r in lossy])) from None
    total_loss_switch_s = time.time() - lossy_until
    time.sleep(1)
    load.stop()
    summary = load.check_accounted()
    report("failover_lossy_probe_path", requests=sum(summary.values()), summary=summary,
           lossy_phase=load.summary(since=started, until=lossy_until), failed_probes=failed_probes, relay=lost,
           switch_after_total_loss_s=round(total_loss_switch_s, 2))
