"""ZooKeeper faults: the server stopped for 20 s, and the proxy's session expiring while it is
partitioned from ZooKeeper. Client load runs throughout and every request is accounted for."""
import time

from conftest import SESSION_MS, route
from harness import Load, report, wait_for, wire


def served_from(proxy, table, sim, seqid=1):
    """Whether one query for `table` is answered by `sim`'s cluster (its app id)."""
    err, _, _, body = wire.query(proxy.addr, table, seqid=seqid, timeout=10)
    return err == "ERR_OK" and body["err"] == "ERR_OK" and body["app_id"] == sim.tables[table]["app_id"]


def test_zookeeper_stopped_20s_cached_served_uncached_fail_fast(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    assert served_from(p, "t1", a) and served_from(p, "t2", b)  # cached from now on

    load = Load(p.addr, ["t1", "t2"], {"clusterA": a, "clusterB": b}).start()
    wait_for(lambda: load.count("ok") > 50, what="load running")
    zk.stop()
    stopped = time.time()
    cold = []  # (seconds to the answer, envelope error, body error) for the uncached table
    seq = 900
    while time.time() - stopped < 20:
        seq += 1
        started = time.time()
        err, _, sid, body = wire.query(p.addr, "cold", seqid=seq, timeout=15)
        assert sid == seq
        cold.append((round(time.time() - started, 3), err, body["err"] if body else None))
        time.sleep(1.0)
    zk.start()
    restarted = time.time()
    wait_for(lambda: served_from(p, "cold", a), timeout=60, what="uncached table resolves after the restart")
    resolved = time.time()
    time.sleep(1)
    load.stop()

    summary = load.check_accounted()
    during = load.summary(since=stopped, until=restarted)
    # Cached tables: served throughout, by their own cluster, no error and no closed connection.
    assert set(during) == {"ok:clusterA", "ok:clusterB"}, during
    assert load.served_by(since=stopped, until=restarted) == {
        "t1": {"clusterA": during["ok:clusterA"]}, "t2": {"clusterB": during["ok:clusterB"]}}
    # Uncached: a Pegasus error in the body (as a MetaServer would put it), each answered.
    assert cold and all(c[1:] == ("ERR_OK", "ERR_ZOOKEEPER_OPERATION") for c in cold), cold
    report("zk_stopped_20s", requests=sum(summary.values()), summary=summary, during_outage=during,
           cold_answers=len(cold), cold_max_s=max(c[0] for c in cold),
           resolved_after_restart_s=round(resolved - restarted, 2))


def test_session_expiry_route_changed_during_outage_picked_up_and_watches_restored(
        clusters, zk, zk_root, proxies, relays):
    """The proxy reaches ZooKeeper through a relay that black-holes its traffic (a partition): the
    server, still running, expires the session; meanwhile t1 is moved to clusterB. After the
    partition heals the proxy gets a new session, re-reads t1 and watches again (a later change of
    `shared` is followed)."""
    a, b = clusters
    relay = relays(zk.addr)
    p = proxies(relay.addr)
    assert served_from(p, "t1", a) and served_from(p, "shared", a)

    load = Load(p.addr, ["t1", "shared"], {"clusterA": a, "clusterB": b}).start()
    wait_for(lambda: load.count("ok") > 50, what="load running")
    relay.partition()
    partitioned = time.time()
    route(zk.addr, zk_root, "t1", b)  # written while the proxy cannot see it
    time.sleep(2.5 * SESSION_MS / 1000)  # the server expires the session after SESSION_MS
    relay.heal()
    healed = time.time()
    wait_for(lambda: served_from(p, "t1", b), timeout=60, what="t1 moved to clusterB after the partition")
    picked_up = time.time()
    assert "ZooKeeper session expired" in p.logs()

    route(zk.addr, zk_root, "shared", b)  # watched on the new session?
    changed = time.time()
    wait_for(lambda: served_from(p, "shared", b), timeout=30, what="watch on shared fires after the expiry")
    followed = time.time()
    time.sleep(1)
    load.stop()

    summary = load.check_accounted()
    during = load.summary(since=partitioned, until=healed)
    assert set(during) == {"ok:clusterA"}, during  # cached routes served while partitioned
    # After the change is seen, no reply from the old cluster for requests sent afterwards.
    after = load.served_by(since=followed)
    assert after.get("t1", {}).keys() <= {"clusterB"} and after.get("shared", {}).keys() <= {"clusterB"}, after
    report("zk_session_expiry", requests=sum(summary.values()), summary=summary, during_partition=during,
           partition_s=round(healed - partitioned, 1), outage_change_seen_after_heal_s=round(picked_up - healed, 2),
           watch_after_expiry_s=round(followed - changed, 2), relay=relay.counts)


def test_zookeeper_paused_beyond_session_timeout_change_after_resume_picked_up(clusters, zk, zk_root, proxies):
    """The ZooKeeper server SIGSTOPped for 2.5 × the session timeout, then SIGCONTed, and t1 moved
    at once, racing the proxy's reconnection. Whether the server expires the session or takes the
    reconnection first is up to ZooKeeper (both happen); either way the change is picked up and
    later changes are followed."""
    a, b = clusters
    p = proxies(zk.addr)
    assert served_from(p, "t1", a) and served_from(p, "shared", a)

    load = Load(p.addr, ["t1", "shared"], {"clusterA": a, "clusterB": b}).start()
    wait_for(lambda: load.count("ok") > 50, what="load running")
    zk.pause()
    paused = time.time()
    try:
        time.sleep(2.5 * SESSION_MS / 1000)
    finally:
        zk.resume()
    resumed = time.time()
    route(zk.addr, zk_root, "t1", b)
    wait_for(lambda: served_from(p, "t1", b), timeout=60, what="t1 moved to clusterB after the pause")
    picked_up = time.time()
    route(zk.addr, zk_root, "shared", b)
    changed = time.time()
    wait_for(lambda: served_from(p, "shared", b), timeout=30, what="watch on shared fires after the pause")
    followed = time.time()
    time.sleep(1)
    load.stop()

    summary = load.check_accounted()
    during = load.summary(since=paused, until=resumed)
    assert set(during) == {"ok:clusterA"}, during
    after = load.served_by(since=followed)
    assert after.get("t1", {}).keys() <= {"clusterB"} and after.get("shared", {}).keys() <= {"clusterB"}, after
    report("zk_paused", requests=sum(summary.values()), summary=summary, during_pause=during,
           pause_s=round(resumed - paused, 1), session_expired="ZooKeeper session expired" in p.logs(),
           change_seen_after_resume_s=round(picked_up - resumed, 2), watch_after_pause_s=round(followed - changed, 2))
