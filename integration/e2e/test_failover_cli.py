"""`meta-proxy failover ...` against a real ZooKeeper and pegasus-sim processes: status, operator
switches judged by the guard, pause/resume, the planned switchover (app envs on the simulated
MetaServers, the real pypegasus3 client blocked and re-routed), and proxies that follow a switch."""
import json
import subprocess

import pytest

import wire
from conftest import _bin, http_get, meta_proxy, pyclient, wait_for

DENY = "replica.deny_client_request"


@pytest.fixture
def clusters(sims, zk, zk_root):
    return _routed_clusters(sims, zk, zk_root)


def _routed_clusters(sims, zk, zk_root, *extra):
    """clusterA (primary of t1 and solo) and clusterB (t1's backup); `extra` goes to both sims."""
    a = sims("clusterA", "t1:4", extra=[*extra])
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100", *extra])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    meta_proxy("route", "set", "solo", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--zk", zk, "--zk-root", zk_root)
    return a, b


@pytest.fixture
def policies(tmp_path):
    directory = tmp_path / "policies"
    directory.mkdir()
    (directory / "default.yaml").write_text('name: manual-default\ntables: ["*"]\nkind: manual\n')
    return str(directory)


@pytest.fixture
def proxy(clusters, proxies, zk, zk_root, policies):
    return proxies("--zk", zk, "--zk-root", zk_root, "--policies", policies)


def failover(zk, zk_root, *args, check=True):
    return meta_proxy("failover", *args, "--zk", zk, "--zk-root", zk_root, check=check)


def failover_json(zk, zk_root, *args):
    return json.loads(failover(zk, zk_root, *args, "--json").stdout)


def app_envs(sim):
    status, body = http_get(sim.metas[0], "/meta/app_envs?name=t1")
    assert status == 200, body
    return json.loads(body)


def app_id_through(proxy):
    return wire.query(proxy.addr, "t1")[3]["app_id"]


def test_status_of_a_never_switched_table(clusters, zk, zk_root):
    overview = failover_json(zk, zk_root, "status")
    assert [t["table"] for t in overview["tables"]] == ["t1"]
    assert overview["tables"][0]["active_cluster"] == "clusterA"
    assert overview["tables_without_backups"] == 1
    assert overview["health"]["published"] is False and overview["decider"] is None

    status = failover_json(zk, zk_root, "status", "t1")
    assert status["active_cluster"] == "clusterA" and status["effective"] is None
    assert status["declared"]["backups"][0]["cluster"] == "clusterB"
    assert status["health"]["note"] == "no health published (no decider running?)"

    text = failover(zk, zk_root, "status", "t1").stdout
    assert "no health published (no decider running?)" in text and "never switched" in text


def test_switch_refused_by_guard_then_forced(clusters, zk, zk_root):
    refused = failover(zk, zk_root, "switch", "t1", "--to", "clusterB", check=False)
    assert refused.returncode != 0
    assert "refused" in refused.stderr and "--force overrides" in refused.stderr, refused.stderr

    forced = failover_json(zk, zk_root, "switch", "t1", "--to", "clusterB", "--force", "--drill", "--yes")
    assert forced["before"] is None
    assert forced["after"]["active_cluster"] == "clusterB" and forced["after"]["mode"] == "drill"
    assert forced["record"]["trigger"] == "forced" and forced["record"]["decided_by"].startswith("cli:")

    status = failover_json(zk, zk_root, "status", "t1")
    assert status["active_cluster"] == "clusterB"
    assert [(h["from"], h["to"]) for h in status["history"]] == [("clusterA", "clusterB")]

    unknown = failover(zk, zk_root, "switch", "t1", "--to", "clusterZ", "--force", "--yes", check=False)
    assert unknown.returncode != 0 and "neither the primary nor a backup" in unknown.stderr

    back = failover(zk, zk_root, "back", "t1", check=False)
    assert back.returncode != 0 and "refused" in back.stderr
    back = failover(zk, zk_root, "back", "t1", "--force", "--yes")
    assert "clusterB -> clusterA" in back.stdout and "reverse duplication" in back.stdout
    assert failover_json(zk, zk_root, "status", "t1")["effective"]["mode"] == "primary"


def test_pause_and_resume_per_table_and_globally(clusters, zk, zk_root):
    assert failover_json(zk, zk_root, "pause", "t1") == {"table": "t1", "paused": True, "changed": True}
    assert failover_json(zk, zk_root, "pause", "t1")["changed"] is False
    status = failover_json(zk, zk_root, "status", "t1")
    assert status["paused"]["table"] is True and status["active_cluster"] == "clusterA"

    paused = failover_json(zk, zk_root, "pause", "--reason", "maintenance window")
    assert paused["paused"] and paused["changed"] and paused["pause"]["reason"] == "maintenance window"
    assert failover_json(zk, zk_root, "status", "t1")["paused"]["global"]["reason"] == "maintenance window"
    assert "maintenance window" in failover(zk, zk_root, "status").stdout

    assert failover_json(zk, zk_root, "resume")["changed"] is True
    assert failover_json(zk, zk_root, "resume")["changed"] is False
    assert failover_json(zk, zk_root, "resume", "t1")["paused"] is False
    status = failover_json(zk, zk_root, "status", "t1")
    assert status["paused"] == {"table": False, "global": None}


def test_proxy_follows_a_forced_drill_and_the_switch_back(clusters, proxy, zk, zk_root, policies):
    a, b = clusters
    assert app_id_through(proxy) == a.tables["t1"]["app_id"]
    failover(zk, zk_root, "switch", "t1", "--to", "clusterB", "--force", "--drill", "--yes", "--policies", policies)
    wait_for(lambda: app_id_through(proxy) == b.tables["t1"]["app_id"], what="the proxy answering t1 from clusterB")
    failover(zk, zk_root, "back", "t1", "--force", "--yes", "--policies", policies)
    wait_for(lambda: app_id_through(proxy) == a.tables["t1"]["app_id"], what="the proxy answering t1 from clusterA")


def test_status_shows_the_decider_and_its_health(clusters, proxy, zk, zk_root):
    overview = wait_for(lambda: (lambda o: o if o["decider"] and o["health"]["published"] else None)(
        failover_json(zk, zk_root, "status")), what="a decider publishing health")
    assert str(proxy.port) in overview["decider"]["instance"]
    status = failover_json(zk, zk_root, "status", "t1")
    assert set(status["health"]["clusters"]) == {"clusterA", "clusterB"}


def _planned(zk, zk_root, *extra):
    cmd = [_bin("META_PROXY_BIN", "meta-proxy"), "failover", "switch", "t1", "--to", "clusterB", "--planned", "--yes",
           "--settle", "0", "--poll-interval", "100ms", "--json", "--zk", zk, "--zk-root", zk_root, *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_planned_switch_blocks_writes_waits_for_the_duplication_then_switches(clusters, proxy, zk, zk_root):
    a, b = clusters
    a.ctl("/write?table=t1&n=10")
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    proc = _planned(zk, zk_root, "--max-wait", "60s")
    wait_for(lambda: app_envs(a).get(DENY) == "timeout*write", what="writes blocked on clusterA")
    # Writes are dropped on the primary now: the real client's set times out.
    blocked = pyclient(a.metas, ["t1"], timeout=1000)
    assert blocked["t1"]["init"] and blocked["t1"].get("set") != 0, blocked
    assert proc.poll() is None  # still draining: the lag is 5
    a.ctl("/advance-duplication?table=t1&remote=clusterB")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    result = json.loads(out)
    assert result["ok"] and result["after"]["active_cluster"] == "clusterB" and result["after"]["mode"] == "planned"
    assert [s["step"] for s in result["steps"] if s["kind"] == "done"] == [
        "check", "block-writes", "drain", "switch-route", "await-instances", "reconfig-clients"]
    assert any("max lag 5" in s["text"] for s in result["steps"] if s["step"] == "drain")
    assert app_envs(a) == {DENY: "reconfig*all"} and app_envs(b) == {}
    assert failover_json(zk, zk_root, "status", "t1")["history"][-1]["trigger"] == "planned"
    wait_for(lambda: app_id_through(proxy) == b.tables["t1"]["app_id"], what="the proxy answering t1 from clusterB")
    # The old primary refuses everything (reconfig*all), so clients re-query config.
    refused = pyclient(a.metas, ["t1"], timeout=1000)
    assert refused["t1"].get("exception") or refused["t1"].get("set") != 0, refused


def test_planned_switch_on_pegasus_2_5_drains_through_the_replicas(sims, zk, zk_root):
    # 2.4/2.5 duplication replies carry no partition_states: the lag is read from the primaries.
    a, b = _routed_clusters(sims, zk, zk_root, "--dup-shape", "v25")
    a.ctl("/write?table=t1&n=10")
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    proc = _planned(zk, zk_root, "--max-wait", "60s")
    wait_for(lambda: app_envs(a).get(DENY) == "timeout*write", what="writes blocked on clusterA")
    # The drain has read the primaries at least once (its record says drain, then their HTTP count grows).
    wait_for(lambda: failover_json(zk, zk_root, "planned", "t1")["record"]["step"] == "drain", what="step drain")
    replica_reads = lambda: sum(r["http"] for r in a.stats()["replicas"])
    before = replica_reads()
    wait_for(lambda: replica_reads() > before, what="a drain read of the primaries")
    assert proc.poll() is None  # still draining: every primary reports 5 not confirmed mutations
    a.ctl("/advance-duplication?table=t1&remote=clusterB")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    result = json.loads(out)
    assert result["ok"] and result["after"]["active_cluster"] == "clusterB"
    drain = [s["text"] for s in result["steps"] if s["step"] == "drain"]
    replicas = "(from the primary ReplicaServers' /replica/duplication)"
    assert any("max lag 5 decrees " + replicas in text for text in drain), drain
    assert any("max lag 0 decrees " + replicas in text for text in drain), drain
    assert app_envs(a) == {DENY: "reconfig*all"} and app_envs(b) == {}


def test_planned_switch_timeout_rolls_back(clusters, proxy, zk, zk_root):
    a, _ = clusters
    a.ctl("/write?table=t1&n=10")
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    proc = _planned(zk, zk_root, "--max-wait", "1s")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    result = json.loads(out)
    assert result["ok"] is False and result["failed_step"] == "drain" and "rolled back" in result["error"]["message"]
    assert app_envs(a) == {}
    assert failover_json(zk, zk_root, "status", "t1")["effective"] is None
    assert app_id_through(proxy) == a.tables["t1"]["app_id"]
    ok = pyclient(a.metas, ["t1"])
    assert ok["t1"]["set"] == 0, ok  # writes flow again on the primary


def test_planned_switch_refuses_without_a_ds_log_duplication(clusters, zk, zk_root):
    a, _ = clusters
    proc = _planned(zk, zk_root)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    result = json.loads(out)
    assert result["failed_step"] == "check" and "no duplication" in result["error"]["message"]
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_PAUSE&lag=0")
    text = failover(zk, zk_root, "switch", "t1", "--to", "clusterB", "--planned", "--yes", check=False)
    assert text.returncode != 0 and "not DS_LOG" in text.stderr and "step check" in text.stderr, text
    assert app_envs(a) == {}
