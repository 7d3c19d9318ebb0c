"""MetaServer faults in cluster A under load on t1 (A) and t2 (B, never faulted): leader switch,
leader killed, every meta down, a meta that accepts and never answers, a meta answering near the
proxy's per-attempt timeout (meta.timeout 1000 ms here). Every request gets a reply from the right
cluster or a Pegasus error; cluster B's table is never affected."""
import time

from harness import Load, report, wait_for


def run_fault(p, a, b, fault, heal, seconds):
    """Load on t1 and t2; `fault()`, `seconds` of load, `heal()`, load until t1 is served again.
    Returns (load, fault start, heal time, recovered time)."""
    load = Load(p.addr, ["t1", "t2"], {"clusterA": a, "clusterB": b}).start()
    wait_for(lambda: load.count("ok") > 30, what="load running")
    started = time.time()
    fault()
    time.sleep(seconds)
    healed = time.time()
    heal()
    recovered = wait_for(lambda: load.first("ok", "clusterA", since=time.time() - 0.5) and time.time(),
                         timeout=30, what="t1 served again")
    time.sleep(1)
    load.stop()
    return load, started, healed, recovered


def common_checks(load, started, healed):
    summary = load.check_accounted()
    during = load.summary(since=started, until=healed)
    assert load.served_by().get("t1", {}).keys() <= {"clusterA"}
    assert load.served_by(since=started, until=healed)["t2"].keys() == {"clusterB"}  # B untouched
    assert "closed" not in summary, summary  # upstream faults never close a client connection
    return summary, during


def test_leader_switch_then_leader_killed(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)

    def fault():
        a.ctl("/leader?index=1")
        time.sleep(2)
        a.ctl("/kill?meta=1")
        a.ctl("/leader?index=2")

    load, started, healed, recovered = run_fault(p, a, b, fault, lambda: None, 3)
    summary, during = common_checks(load, started, healed)
    errors = {k: v for k, v in during.items() if k.startswith("error")}
    report("meta_leader_switch_and_kill", requests=sum(summary.values()), summary=summary, during=during,
           errors=errors)


def test_all_metas_down_fast_error_not_hang(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    load, started, healed, recovered = run_fault(p, a, b, lambda: a.ctl("/kill-all"), lambda: a.ctl("/revive-all"), 5)
    summary, during = common_checks(load, started, healed)
    # t1 while every meta of A is down: ERR_TIMEOUT in the envelope (the documented answer).
    t1 = [r for r in load.records if r[4] == "t1" and started + 0.5 <= r[0] < healed]
    assert t1 and {(r[5], r[6]) for r in t1} == {("error", "ERR_TIMEOUT")}, {(r[5], r[6]) for r in t1}
    waits = sorted(r[1] - r[0] for r in t1)
    report("meta_all_down", requests=sum(summary.values()), summary=summary, during=during,
           t1_error_wait_median_s=round(waits[len(waits) // 2], 3), t1_error_wait_max_s=round(waits[-1], 3),
           recovered_after_revive_s=round(recovered - healed, 2))


def test_meta_accepts_but_never_answers(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    load, started, healed, recovered = run_fault(p, a, b, lambda: a.ctl("/hang?meta=0"), lambda: a.ctl("/unhang?meta=0"), 6)
    summary, during = common_checks(load, started, healed)
    t1 = {k: v for k, v in load.summary(since=started, until=healed).items()}
    assert set(t1) <= {"ok:clusterA", "ok:clusterB", "error:ERR_TIMEOUT"}, t1
    waits = load.latencies(since=started, until=healed)
    report("meta_hang", requests=sum(summary.values()), summary=summary, during=during,
           max_wait_s=round(waits[-1], 3))


def test_meta_answering_near_the_timeout(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    load, started, healed, recovered = run_fault(p, a, b, lambda: a.ctl("/latency?ms=800"), lambda: a.ctl("/latency?ms=0"), 5)
    summary, during = common_checks(load, started, healed)
    assert set(during) <= {"ok:clusterA", "ok:clusterB", "error:ERR_TIMEOUT"}, during
    assert during.get("ok:clusterA", 0) > 0, during  # slow answers within the timeout are relayed
    waits = load.latencies(since=started, until=healed)
    report("meta_slow_800ms", requests=sum(summary.values()), summary=summary, during=during,
           max_wait_s=round(waits[-1], 3))
