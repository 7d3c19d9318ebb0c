"""`meta-proxy failover ...` against a real ZooKeeper, with a proxy process routing by the result."""
import json

import pytest

import wire
from conftest import meta_proxy, wait_for


@pytest.fixture
def setup(sims, proxies, zk, zk_root, tmp_path):
    a = sims("fcA", "t1:4")
    b = sims("fcB", "t1:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "fcA", "--meta", ",".join(a.metas),
               "--backup", "fcB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "default.yaml").write_text('name: manual-default\ntables: ["*"]\nkind: manual\n')
    proxy = proxies("--zk", zk, "--zk-root", zk_root, "--policies", str(policies))
    zkargs = ["--zk", zk, "--zk-root", zk_root]
    return a, b, proxy, zkargs, str(policies)


def app_id_through(proxy):
    return wire.query(proxy.addr, "t1")[3]["app_id"]


def test_drill_switch_and_back(setup):
    a, b, proxy, zkargs, policies = setup
    status = json.loads(meta_proxy("failover", "status", "t1", *zkargs, "--json").stdout)
    assert status["tables"][0]["effective"] == "fcA" and "document" not in status["tables"][0]
    assert app_id_through(proxy) == a.tables["t1"]["app_id"]

    # Unknown cluster: refused, even forced.
    r = meta_proxy("failover", "switch", "t1", "--to", "nowhere", "--force", "--policies", policies, *zkargs, check=False)
    assert r.returncode != 0 and "neither the primary nor a backup" in (r.stderr + r.stdout)

    # Without duplication observations the guard cannot prove the lag: refused unless forced.
    r = meta_proxy("failover", "switch", "t1", "--to", "fcB", "--policies", policies, *zkargs, check=False)
    assert r.returncode != 0 and "refused" in (r.stderr + r.stdout)
    assert app_id_through(proxy) == a.tables["t1"]["app_id"]

    out = meta_proxy("failover", "switch", "t1", "--to", "fcB", "--force", "--policies", policies, *zkargs, "--json")
    doc = json.loads(out.stdout)
    assert doc["active_cluster"] == "fcB" and doc["mode"] == "drill"
    assert doc["history"][-1]["trigger"] == "forced"
    # Every proxy follows the effective route once its watch fires.
    wait_for(lambda: app_id_through(proxy) == b.tables["t1"]["app_id"], what="proxy routes t1 to fcB")

    text = meta_proxy("failover", "status", "t1", *zkargs).stdout
    assert "declared=fcA effective=fcB" in text and "fcA → fcB" in text

    meta_proxy("failover", "back", "t1", "--force", "--policies", policies, *zkargs)
    wait_for(lambda: app_id_through(proxy) == a.tables["t1"]["app_id"], what="proxy routes t1 back to fcA")
    doc = json.loads(meta_proxy("failover", "status", "t1", *zkargs, "--json").stdout)["tables"][0]["document"]
    assert doc["active_cluster"] == "fcA" and doc["mode"] == "primary" and len(doc["history"]) == 2


def test_pause_and_resume(setup):
    _, _, _, zkargs, _ = setup
    meta_proxy("failover", "pause", "t1", *zkargs)
    doc = json.loads(meta_proxy("failover", "status", "t1", *zkargs, "--json").stdout)["tables"][0]["document"]
    assert doc["paused"] is True
    meta_proxy("failover", "resume", "t1", *zkargs)
    doc = json.loads(meta_proxy("failover", "status", "t1", *zkargs, "--json").stdout)["tables"][0]["document"]
    assert doc["paused"] is False

    meta_proxy("failover", "pause", "--reason", "maintenance", *zkargs)
    assert json.loads(meta_proxy("failover", "status", *zkargs, "--json").stdout)["globally_paused"] is True
    assert "PAUSED for every table" in meta_proxy("failover", "status", *zkargs).stdout
    meta_proxy("failover", "resume", *zkargs)
    assert json.loads(meta_proxy("failover", "status", *zkargs, "--json").stdout)["globally_paused"] is False


def test_status_shows_the_decider(setup):
    _, _, proxy, zkargs, _ = setup
    decider = wait_for(lambda: json.loads(meta_proxy("failover", "status", *zkargs, "--json").stdout)["decider"],
                       what="a decider elected")
    assert str(proxy.port) in decider


def test_planned_switchover_blocks_writes_waits_for_duplication_and_switches(setup):
    import subprocess, sys, os, time
    from conftest import _bin, pyclient
    a, b, proxy, zkargs, _ = setup
    a.ctl("/write?table=t1&n=200")
    a.ctl("/duplication?table=t1&remote=fcB&status=DS_LOG&lag=50")
    cmd = [_bin("META_PROXY_BIN", "meta-proxy"), "failover", "switch", "t1", "--to", "fcB", "--planned",
           "--max-wait", "60", *zkargs]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("3/5"):
            break
    assert any(l.startswith("2/5") for l in lines), lines
    # Writes are blocked on the primary now (timeout*write): a client's set times out.
    blocked = pyclient(a.metas, ["t1"], timeout=1000)
    assert blocked["t1"]["init"] and blocked["t1"].get("set") != 0, blocked
    assert proc.poll() is None  # still waiting for the duplication
    a.ctl("/advance-duplication?table=t1&remote=fcB")
    out, _ = proc.communicate(timeout=60)
    lines.append(out)
    assert proc.returncode == 0, "".join(lines)
    assert "5/5" in out and "planned" in out
    wait_for(lambda: app_id_through(proxy) == b.tables["t1"]["app_id"], what="proxy routes t1 to fcB")
    # The old primary now refuses everything (reconfig*all), so clients re-query config.
    refused = pyclient(a.metas, ["t1"], timeout=1000)
    # (pypegasus3 raises on the ERR_INVALID_STATE envelope instead of returning a code)
    assert refused["t1"].get("exception") or refused["t1"].get("set") != 0, refused
    doc = json.loads(meta_proxy("failover", "status", "t1", *zkargs, "--json").stdout)["tables"][0]["document"]
    assert doc["mode"] == "planned" and doc["history"][-1]["trigger"] == "planned"


def test_planned_switchover_times_out_and_rolls_back(setup):
    from conftest import pyclient
    a, _, proxy, zkargs, _ = setup
    a.ctl("/write?table=t1&n=200")
    a.ctl("/duplication?table=t1&remote=fcB&status=DS_LOG&lag=50")
    r = meta_proxy("failover", "switch", "t1", "--to", "fcB", "--planned", "--max-wait", "2", *zkargs, check=False)
    assert r.returncode != 0 and "rolling back" in r.stdout and "step 3" in (r.stdout + r.stderr), r
    assert app_id_through(proxy) == a.tables["t1"]["app_id"]
    ok = pyclient(a.metas, ["t1"])
    assert ok["t1"]["set"] == 0, ok  # writes flow again on the primary


def test_planned_switchover_refused_without_ds_log(setup):
    _, _, _, zkargs, _ = setup
    r = meta_proxy("failover", "switch", "t1", "--to", "fcB", "--planned", *zkargs, check=False)
    assert r.returncode != 0 and "not DS_LOG" in (r.stdout + r.stderr)
