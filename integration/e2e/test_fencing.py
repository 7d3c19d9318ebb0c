"""Fenced decider writes and unreadable failover state, end to end: two simulated clusters (A
primary of t1, B its duplication backup), two meta-proxy instances on a real ZooKeeper with a short
session timeout (`zookeeper.timeout`), the real pypegasus3 client.

Every wait polls with a long timeout; nothing asserts speed."""
import datetime
import json
import os
import re
import signal
import subprocess
import time

from conftest import meta_proxy, wait_for
from failover_status import active, cluster_state, decider_of, history, lag_observed, status, wait_active
from test_failover import app_id, clusters, policies, warm, write_policy  # noqa: F401 (fixtures)

SESSION_TIMEOUT_MS = 1500


def write_config(tmp_path, name, zk, zk_root, policies):
    path = tmp_path / name
    path.write_text(json.dumps({
        "zookeeper": {"address": [zk], "root": zk_root, "timeout": SESSION_TIMEOUT_MS},
        "failover": {"policies_dir": policies},
        "log": {"level": "info"},
    }))
    return str(path)


def counter(proxy, name):
    """The sum of a counter's series on the instance's /metrics."""
    return sum(int(m.group(1)) for m in re.finditer(r'^%s(?:\{[^}]*\})? (\d+)' % name, proxy.metrics(), re.M))


def down_for(proxy, cluster):
    """Seconds the instance has seen `cluster` down (0 when it is not down)."""
    health = status(proxy)["health"]["clusters"].get(cluster, {})
    if health.get("state") != "down" or not health.get("since"):
        return 0.0
    since = datetime.datetime.fromisoformat(health["since"].replace("Z", "+00:00"))
    return (datetime.datetime.now(datetime.timezone.utc) - since).total_seconds()


def zk_cli(zk, *command):
    """Runs one command of ZooKeeper's own Java CLI (the tests bypass meta-proxy on purpose)."""
    classpath = ["/usr/share/java/zookeeper.jar", "/usr/share/java/zookeeper-jute.jar"]
    for jar in ("slf4j-api", "slf4j-log4j12", "log4j-1.2", "netty-handler", "netty-common", "netty-buffer",
                "netty-transport", "netty-codec", "netty-resolver", "netty-transport-native-unix-common",
                "commons-cli", "jline", "audience-annotations"):
        if os.path.exists("/usr/share/java/%s.jar" % jar):
            classpath.append("/usr/share/java/%s.jar" % jar)
    r = subprocess.run(["java", "-Xmx64m", "-cp", ":".join(classpath), "org.apache.zookeeper.ZooKeeperMain",
                        "-server", zk, *command], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return r.stdout


def test_decider_paused_past_its_session_cannot_write_after_another_took_over(
        clusters, policies, proxies, tmp_path, zk, zk_root):
    a, b = clusters
    # min_down 4 s: the decider sees A down, and is paused before it may switch.
    write_policy(policies, "auto-failover", min_down="4s")
    config = write_config(tmp_path, "proxy.yaml", zk, zk_root, policies)
    instances = [proxies("--config", config) for _ in range(2)]
    warm(instances)
    old = decider_of(instances)
    new = next(p for p in instances if p is not old)
    old_id, new_id = status(old)["instance_id"], status(new)["instance_id"]

    a.ctl("/kill-all")
    wait_for(lambda: cluster_state(old, "clusterA") == "down", timeout=30, what="old decider sees A down")
    assert active(old) is None, "switched before min_down"
    os.kill(old.proc.pid, signal.SIGSTOP)
    try:
        # Its session expires (1.5 s), its election node goes, the other instance decides and switches.
        wait_for(lambda: status(new)["is_decider"], timeout=60, what="the other instance elected")
        wait_active(new, "clusterB", timeout=60, what="the new decider switches t1")
        assert [r["decided_by"] for r in history(new)] == [new_id]
    finally:
        os.kill(old.proc.pid, signal.SIGCONT)

    # Resumed, the old instance holds a decision of its own (A down for longer than min_down, t1 on A
    # as it last read it): it must not land. It follows the new decider's document instead.
    wait_for(lambda: not status(old)["is_decider"], timeout=30, what="the resumed instance is no decider")
    wait_active(old, "clusterB", timeout=30, what="the resumed instance routes by the new decision")
    assert app_id(old) == b.tables["t1"]["app_id"]
    time.sleep(3)  # several ticks of the resumed instance: nothing more may be written
    assert [r["decided_by"] for r in history(new)] == [new_id]
    assert status(new)["is_decider"] and not status(old)["is_decider"]
    logs = old.logs()
    assert "Failover: switched to a backup" not in logs
    assert counter(old, "metaproxy_failover_decisions_total") == 0
    # On resuming, whichever comes first: the expiry (it stops deciding and attempts nothing), or its
    # pending switch, which is then rejected by the fence (the session that owned its election node
    # expired) or lost with the connection. Never written (above); test_paused_decider_whose_election_
    # node_was_replaced_is_fenced makes the fence itself the only possible outcome.
    assert "This instance stopped deciding" in logs
    fenced = counter(old, "metaproxy_failover_fenced_writes_total")
    if fenced:
        line = next(l for l in logs.splitlines() if "rejected by its fence" in l)
        assert "failover.reason_code=fenced" in line, line
    print("resumed decider: fenced writes %d, write lost with the connection %s" % (
        fenced, "Writing a failover decision failed" in logs))


def test_paused_decider_whose_election_node_was_replaced_is_fenced(
        clusters, proxies, tmp_path, zk, zk_root):
    """The paused decider keeps its session (a long timeout) but loses its election node meanwhile (as
    when its session was replaced), and another instance is elected. The new decider runs the `manual`
    policy, so nothing else writes: when the old one resumes it holds a switch of its own to write (A down
    longer than min_down, t1 still on A), and the fence must reject it."""
    a, b = clusters
    auto, manual = tmp_path / "auto", tmp_path / "manual"
    auto.mkdir()
    manual.mkdir()
    write_policy(str(auto), "auto-failover", min_down="4s")
    write_policy(str(manual), "manual")

    def config(name, policies, timeout_ms):
        path = tmp_path / name
        path.write_text(json.dumps({
            "zookeeper": {"address": [zk], "root": zk_root, "timeout": timeout_ms},
            "failover": {"policies_dir": policies},
            "log": {"level": "info"},
        }))
        return str(path)

    old = proxies("--config", config("old.yaml", str(auto), 30000))
    wait_for(lambda: status(old)["is_decider"], timeout=30, what="first instance decides")
    new = proxies("--config", config("new.yaml", str(manual), 30000))
    warm([old, new])
    node = "%s/.meta-proxy/decider/%s" % (zk_root, status(old)["election"]["node"])

    a.ctl("/kill-all")
    wait_for(lambda: cluster_state(old, "clusterA") == "down", timeout=30, what="old decider sees A down")
    assert active(old) is None, "switched before min_down"
    os.kill(old.proc.pid, signal.SIGSTOP)
    try:
        zk_cli(zk, "delete", node)
        wait_for(lambda: status(new)["is_decider"], timeout=60, what="the other instance elected")
        # Resume only once A has been down longer than min_down (4 s), so that the old decider's first
        # act is the switch.
        wait_for(lambda: down_for(new, "clusterA") > 5.0, timeout=60, what="A down for more than min_down")
    finally:
        os.kill(old.proc.pid, signal.SIGCONT)

    wait_for(lambda: counter(old, "metaproxy_failover_fenced_writes_total") >= 1, timeout=60,
             what="the resumed decider's write fenced")
    logs = old.logs()
    line = next(l for l in logs.splitlines() if "rejected by its fence" in l)
    assert "failover.reason_code=fenced" in line and "failover.state_node=effective_route" in line, line
    assert re.search(r'metaproxy_failover_fenced_writes_total\{[^}]*node="effective_route"[^}]*\} 1', old.metrics())
    wait_for(lambda: not status(old)["is_decider"], timeout=30, what="the fenced instance stops deciding")
    assert status(new)["is_decider"]
    assert active(old) is None and active(new) is None  # nothing was written
    assert "Failover: switched to a backup" not in logs


def test_unreadable_effective_route_keeps_queries_on_the_backup(clusters, policies, proxies, tmp_path, zk, zk_root):
    a, b = clusters
    write_policy(policies, "manual")
    config = write_config(tmp_path, "proxy.yaml", zk, zk_root, policies)
    p = proxies("--config", config)
    wait_for(lambda: cluster_state(p, "clusterB") == "up", timeout=30, what="prober warm")
    meta_proxy("failover", "switch", "t1", "--to", "clusterB", "--force", "--yes", "--zk", zk, "--zk-root", zk_root)
    wait_active(p, "clusterB", timeout=30)
    assert app_id(p) == b.tables["t1"]["app_id"]

    zk_cli(zk, "set", "%s/.meta-proxy/failover/t1" % zk_root, "{not an effective route")
    wait_for(lambda: status(p)["state_store"]["unreadable_tables"] == ["t1"], timeout=30,
             what="the node reported unreadable")
    assert counter(p, "metaproxy_failover_state_unreadable_total") >= 1
    assert re.search(r'^metaproxy_failover_state_unreadable\{[^}]*table="t1"[^}]*\} 1', p.metrics(), re.M)
    # Queries still go to the backup.
    for _ in range(3):
        assert app_id(p) == b.tables["t1"]["app_id"]
    assert active(p) == "clusterB"


def test_decider_elected_after_the_primary_died_switches_on_the_persisted_lag(
        clusters, policies, proxies, tmp_path, zk, zk_root):
    a, b = clusters
    write_policy(policies, "auto-failover")
    config = write_config(tmp_path, "proxy.yaml", zk, zk_root, policies)
    first = proxies("--config", config)
    warm([first])
    lag_node = "%s/.meta-proxy/lag/t1" % zk_root
    lag = lag_observed(first)
    wait_for(lambda: '"max_lag":%d' % lag in zk_cli(zk, "get", lag_node), timeout=60, what="the lag persisted")
    assert first.stop() == 0  # SIGTERM: it leaves the election
    # A new decider also starts from the observations its predecessor published in the health node
    # (when they reach its prober in time): delete that node, so the persisted lag is the only record.
    zk_cli(zk, "delete", "%s/.meta-proxy/health" % zk_root)

    # The primary dies after the only instance that saw its lag is gone; the next one never reads it.
    a.ctl("/kill-all")
    second = proxies("--config", config)
    wait_active(second, "clusterB", timeout=60, what="the new decider switches on the persisted lag")
    record = history(second)[-1]
    assert record["decided_by"] == status(second)["instance_id"] and record["lag_decrees"] == lag, record
    assert all(d.get("max_lag") is None for d in status(second)["health"]["duplications"])
    assert app_id(second) == b.tables["t1"]["app_id"]


def test_no_persisted_lag_and_the_primary_dead_refuses_not_observed(clusters, policies, proxies, tmp_path, zk, zk_root):
    """Nobody ever read the lag and the primary is dead: refused as "not observed yet, the first read
    waits for clusterA" (never "no duplication", never a switch on an unknown lag)."""
    a, b = clusters
    write_policy(policies, "auto-failover")
    a.ctl("/kill-all")
    p = proxies("--config", write_config(tmp_path, "proxy.yaml", zk, zk_root, policies))
    refusal = wait_for(lambda: next((r for r in status(p)["refusals"] if r["table"] == "t1"), None),
                       timeout=60, what="refusal in /failover")
    assert refusal["reason"]["code"] == "duplication_not_observed", refusal
    assert "waits for clusterA to be up" in refusal["reason"]["text"], refusal
    assert active(p) is None
