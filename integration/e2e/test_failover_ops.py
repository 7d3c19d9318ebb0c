"""Failover operations end to end: hooks called by the decider (a real exec script and an HTTP
receiver), `failover plan` (what the decider would do, writing nothing), and an interrupted planned
switchover (SIGINT) that is resumed or aborted, against a real ZooKeeper and pegasus-sim processes."""
import http.server
import json
import os
import re
import signal
import subprocess
import threading
from datetime import datetime

import pytest

from conftest import _bin, meta_proxy, wait_for
from failover_status import cluster_state, lag_observed, status, wait_active
from test_failover import clusters, policies, warm, write_policy  # noqa: F401 (fixtures)

DENY = "replica.deny_client_request"


def failover(zk, zk_root, *args, check=True):
    return meta_proxy("failover", *args, "--zk", zk, "--zk-root", zk_root, check=check)


def failover_json(zk, zk_root, *args):
    return json.loads(failover(zk, zk_root, *args, "--json").stdout)


class Receiver:
    """A small HTTP server recording the JSON bodies POSTed to it."""

    def __init__(self):
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                bodies.append((self.headers.get("Content-Type"), json.loads(self.rfile.read(length))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def counter(proxy, name, **labels):
    total = 0
    for line in proxy.metrics().splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
                total += int(float(line.rsplit(" ", 1)[1]))
    return total


def test_hooks_receive_the_switch_and_a_hanging_exec_is_killed(clusters, policies, proxies, zk, zk_root, tmp_path):
    a, b = clusters
    write_policy(policies, "auto-failover")
    events = tmp_path / "events.jsonl"
    script = tmp_path / "hook.sh"
    # Appends its stdin, then hangs: every call ends by the 1 s timeout, the decisions must not wait.
    pids = tmp_path / "pids"
    script.write_text('#!/bin/sh\necho $$ >> "%s"\ncat >> "%s"\necho >> "%s"\nexec sleep 60\n' % (pids, events, events))
    script.chmod(0o755)
    receiver = Receiver()
    config = tmp_path / "meta-proxy.yaml"
    config.write_text("failover:\n  policies_dir: %s\n  hooks:\n    exec: %s\n    url: %s\n    timeout: 1s\n"
                      % (policies, script, receiver.url))
    try:
        proxy = proxies("--config", str(config), "--zk", zk, "--zk-root", zk_root)
        warm([proxy])
        a.ctl("/kill-all")
        wait_active(proxy, "clusterB", timeout=30)

        def switch_posted():
            return [body for _, body in receiver.bodies if body["event"] == "switch"]
        wait_for(lambda: switch_posted(), timeout=30, what="the URL hook receiving the switch")
        content_type, _ = receiver.bodies[[body for _, body in receiver.bodies].index(switch_posted()[0])]
        posted = switch_posted()[0]
        assert content_type == "application/json"
        assert (posted["table"], posted["from"], posted["to"]) == ("t1", "clusterA", "clusterB"), posted
        assert posted["reason"]["code"] == "effective_down" and posted["reason"]["text"]
        assert posted["policy"] == "t1-policy" and posted["policy_hash"].startswith("fnv1a:")
        assert posted["decided_by"] and posted["time"] and isinstance(posted["lag_decrees"], int), posted

        def exec_lines():
            if not events.exists():
                return []
            return [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
        wait_for(lambda: any(e["event"] == "switch" for e in exec_lines()), timeout=30, what="the exec hook's stdin")
        assert [e for e in exec_lines() if e["event"] == "switch"][0] == posted
        wait_for(lambda: counter(proxy, "metaproxy_failover_hook_calls_total", hook="exec", result="timeout") >= 1,
                 timeout=30, what="the hanging exec hook counted as timed out")
        assert counter(proxy, "metaproxy_failover_hook_calls_total", hook="url", result="ok") >= 1
        # The decision record names the policy and its file hash.
        record = failover_json(zk, zk_root, "status", "t1")["history"][-1]
        assert record["policy"] == "t1-policy" and record["policy_hash"] == posted["policy_hash"]
        assert (record["lag_decrees"], record["decided_by"]) == (posted["lag_decrees"], posted["decided_by"])
        # The hung hooks were killed (and reaped) after their timeout, not left running for 60 s.
        started = [int(line) for line in pids.read_text().split()]
        assert started

        def all_gone():
            for pid in started:
                try:
                    os.kill(pid, 0)
                    return False
                except ProcessLookupError:
                    pass
            return True
        wait_for(all_gone, timeout=10, what="the hung hook processes killed")
    finally:
        receiver.close()


def test_hook_receives_a_refusal_once_per_episode(clusters, policies, proxies, zk, zk_root, tmp_path):
    a, _ = clusters
    write_policy(policies, "auto-failover", max_lag=100)
    a.ctl("/write?table=t1&n=500")
    events = tmp_path / "events.jsonl"
    script = tmp_path / "hook.sh"
    script.write_text('#!/bin/sh\ncat >> "%s"\necho >> "%s"\n' % (events, events))
    script.chmod(0o755)
    config = tmp_path / "meta-proxy.yaml"
    config.write_text("failover:\n  policies_dir: %s\n  hooks: { exec: %s }\n" % (policies, script))
    proxy = proxies("--config", str(config), "--zk", zk, "--zk-root", zk_root)
    warm([proxy])
    wait_for(lambda: lag_observed(proxy) == 500, timeout=30, what="lag 500 observed")
    a.ctl("/kill-all")

    def refusals():
        if not events.exists():
            return []
        return [e for e in (json.loads(line) for line in events.read_text().splitlines() if line.strip())
                if e["event"] == "refusal"]
    wait_for(lambda: refusals(), timeout=30, what="the hook receiving the refusal")
    [refusal] = refusals()
    assert (refusal["table"], refusal["from"], refusal["reason"]["code"]) == ("t1", "clusterA", "lag_too_high")
    assert "to" not in refusal and refusal["lag_decrees"] == 500 and refusal["policy"] == "t1-policy"
    # The refusal repeats every tick, but the hook (like the log and the counter) hears of the episode once.
    wait_for(lambda: counter(proxy, "metaproxy_failover_decisions_total", kind="refuse") >= 1, timeout=10,
             what="the refusal counted")
    def episode_seconds():
        for r in status(proxy)["refusals"]:
            if r["table"] == "t1":
                return (datetime.fromisoformat(r["at"].replace("Z", "+00:00"))
                        - datetime.fromisoformat(r["since"].replace("Z", "+00:00"))).total_seconds()
        return 0
    wait_for(lambda: episode_seconds() >= 2, timeout=30, what="the refusal repeated for 2 s (several ticks)")
    assert len(refusals()) == 1
    assert counter(proxy, "metaproxy_failover_hook_calls_total", hook="exec", result="ok") == 1


def test_plan_predicts_keep_then_switch_and_writes_nothing(clusters, policies, proxies, zk, zk_root, tmp_path):
    a, _ = clusters
    # The running instance only observes (kind manual: it never switches by itself) and publishes health;
    # `plan` asks what an auto-failover policy would do with it.
    write_policy(policies, "manual")
    auto = tmp_path / "auto"
    auto.mkdir()
    write_policy(str(auto), "auto-failover")
    proxy = proxies("--zk", zk, "--zk-root", zk_root, "--policies", policies)
    warm([proxy])

    def plan_all():
        return json.loads(meta_proxy("failover", "plan", "--policies", str(auto), "--json",
                                     "--zk", zk, "--zk-root", zk_root).stdout)
    # The instance publishes its snapshot every 2-10 s: wait until the published one has both clusters up.
    wait_for(lambda: all(c["state"] == "up" for c in plan_all()["tables"][0]["health"].values())
             and plan_all()["tables"][0]["lag_decrees"]["clusterB"] is not None,
             timeout=30, what="a published snapshot with both clusters up and the lag known")
    plan = plan_all()
    [t1] = plan["tables"]
    assert plan["health"]["published"] is True
    assert (t1["table"], t1["decision"], t1["active"]) == ("t1", "keep", "clusterA"), t1
    assert t1["health"]["clusterA"]["state"] == "up" and t1["lag_decrees"]["clusterB"] == 0
    assert t1["policy"] == "t1-policy" and t1["policy_hash"].startswith("fnv1a:")

    a.ctl("/kill-all")
    wait_for(lambda: cluster_state(proxy, "clusterA") == "down", timeout=30, what="clusterA down")

    def predicted():
        out = json.loads(meta_proxy("failover", "plan", "t1", "--policies", str(auto), "--json",
                                    "--zk", zk, "--zk-root", zk_root).stdout)
        return out["tables"][0]
    wait_for(lambda: predicted()["decision"] == "switch", timeout=30, what="a predicted switch once min_down passed")
    t1 = predicted()
    assert t1["target"] == "clusterB" and t1["reason"]["code"] == "effective_down", t1
    text = meta_proxy("failover", "plan", "--policies", str(auto), "--zk", zk, "--zk-root", zk_root).stdout
    assert re.search(r"^t1: switch to clusterB \(effective_down: ", text, re.M), text
    assert "clusterA down for" in text and "lag: clusterB 0 decrees" in text, text
    # Nothing written: no effective route, no pause, no planned record; the instance still routes to A.
    status = failover_json(zk, zk_root, "status", "t1")
    assert status["effective"] is None, status
    assert failover_json(zk, zk_root, "planned", "t1")["record"] is None
    # The observing instance (manual) agrees nothing happened.
    assert json.loads(meta_proxy("failover", "plan", "--policies", policies, "--json",
                                 "--zk", zk, "--zk-root", zk_root).stdout)["tables"][0]["decision"] != "switch"


def _planned(zk, zk_root, *extra):
    cmd = [_bin("META_PROXY_BIN", "meta-proxy"), "failover", "switch", "t1", "--to", "clusterB", "--planned", "--yes",
           "--settle", "0", "--poll-interval", "100ms", "--max-wait", "120s", "--zk", zk, "--zk-root", zk_root, *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def app_envs(sim):
    from conftest import http_get
    status, body = http_get(sim.metas[0], "/meta/app_envs?name=t1")
    assert status == 200, body
    return json.loads(body)


def _interrupt_while_draining(a, zk, zk_root, sig=signal.SIGINT):
    a.ctl("/write?table=t1&n=10")
    proc = _planned(zk, zk_root)
    wait_for(lambda: app_envs(a).get(DENY) == "timeout*write", timeout=30, what="writes blocked on clusterA")
    wait_for(lambda: failover_json(zk, zk_root, "planned", "t1")["record"]["step"] == "drain", timeout=30,
             what="the record at step drain")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_planned_interrupted_while_draining_then_resumed(clusters, zk, zk_root, sig):
    a, b = clusters
    code, out, err = _interrupt_while_draining(a, zk, zk_root, sig)
    name = "SIGINT" if sig == signal.SIGINT else "SIGTERM"
    assert code != 0, (out, err)
    assert "interrupted by %s" % name in err and "failover planned --resume t1" in err, err
    record = failover_json(zk, zk_root, "planned", "t1")["record"]
    assert (record["state"], record["step"], record["done"]) == ("interrupted", "drain", ["check", "block-writes"])
    assert record["by"]["os_user"] and record["by"]["zk_identity"] == "anonymous" and record["by"]["pid"] > 0
    assert app_envs(a) == {DENY: "timeout*write"}  # nothing undone
    # A second switch is refused while the record is unfinished.
    again = failover(zk, zk_root, "switch", "t1", "--to", "clusterB", "--planned", "--yes", check=False)
    assert again.returncode != 0 and "--abort t1" in again.stderr, again
    a.ctl("/advance-duplication?table=t1&remote=clusterB")
    resumed = failover(zk, zk_root, "planned", "t1", "--resume", "--yes", "--settle", "0", "--poll-interval", "100ms")
    assert "[6/6 reconfig-clients] done" in resumed.stdout, resumed.stdout
    assert app_envs(a) == {DENY: "reconfig*all"} and app_envs(b) == {}
    assert failover_json(zk, zk_root, "status", "t1")["effective"]["active_cluster"] == "clusterB"
    assert failover_json(zk, zk_root, "planned", "t1")["record"]["state"] == "completed"


def test_planned_interrupted_then_aborted(clusters, zk, zk_root):
    a, _ = clusters
    code, _, err = _interrupt_while_draining(a, zk, zk_root)
    assert code != 0, err
    aborted = failover_json(zk, zk_root, "planned", "t1", "--abort", "--yes")
    assert aborted["ok"] and aborted["routed_back"] is False and aborted["record"]["state"] == "aborted"
    assert app_envs(a) == {}
    assert failover_json(zk, zk_root, "status", "t1")["effective"] is None
    nothing = failover(zk, zk_root, "planned", "t1", "--abort", "--yes", check=False)
    assert nothing.returncode != 0 and "nothing to abort" in nothing.stderr, nothing


def test_second_planned_operator_is_refused_naming_the_holder(clusters, zk, zk_root):
    a, _ = clusters
    a.ctl("/write?table=t1&n=10")
    proc = _planned(zk, zk_root)
    try:
        wait_for(lambda: app_envs(a).get(DENY) == "timeout*write", timeout=30, what="writes blocked on clusterA")
        second = failover(zk, zk_root, "planned", "t1", "--abort", "--yes", check=False)
        assert second.returncode != 0, second
        assert "another planned switchover operation on t1 is running" in second.stderr, second.stderr
        assert "pid %d" % proc.pid in second.stderr, second.stderr
        assert app_envs(a) == {DENY: "timeout*write"}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    failover(zk, zk_root, "planned", "t1", "--abort", "--yes")
    assert app_envs(a) == {}
