"""Failover with the routes-file source (no ZooKeeper): the single instance decides alone and, with
`failover.state_file`, a table failed over to its backup stays there across a restart."""
import json

from conftest import Proxy, pyclient, wait_for
from test_failover import active, cluster_state, lag_observed, wait_active, write_policy


def test_routes_file_failover_survives_restart(sims, tmp_path):
    a = sims("clusterA", "t1:4")
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    routes = tmp_path / "routes.yaml"
    routes.write_text(
        "tables:\n  t1: { cluster: clusterA, meta_addrs: [%s], backups: [{ cluster: clusterB, meta_addrs: [%s] }] }\n"
        % (", ".join('"%s"' % m for m in a.metas), ", ".join('"%s"' % m for m in b.metas)))
    policies = tmp_path / "policies"
    policies.mkdir()
    write_policy(str(policies), "auto-failover")
    state = tmp_path / "state" / "failover.json"
    state.parent.mkdir()
    config = tmp_path / "meta-proxy.yaml"
    config.write_text("routes_file: routes.yaml\nfailover: { policies_dir: policies, state_file: state/failover.json }\n")

    proxy = Proxy(["--config", str(config)])
    try:
        wait_for(lambda: cluster_state(proxy, "clusterA") == "up" and lag_observed(proxy) is not None,
                 timeout=30, what="warm prober")
        assert pyclient(proxy.addr, ["t1"], ops="init")["t1"]["app_id"] == a.tables["t1"]["app_id"]

        a.ctl("/kill-all")
        wait_active(proxy, "clusterB", timeout=30, what="t1 failed over to clusterB")
        saved = json.loads(state.read_text())
        assert [(d["table"], d["active_cluster"], d["mode"]) for d in saved] == [("t1", "clusterB", "failover")]

        # A returns while the instance restarts: kind auto-failover never fails back, and the
        # restarted instance resumes the saved decision instead of starting on the primary.
        a.ctl("/revive-all")
        assert proxy.stop() == 0
        proxy.start()
        assert active(proxy) == "clusterB"
        res = pyclient(proxy.addr, ["t1"], ops="setgetremove", tag="after-restart")
        assert res["t1"]["app_id"] == b.tables["t1"]["app_id"], res
        assert res["t1"]["set"] == 0 and res["t1"]["get"] == [0, "v-t1-after-restart"], res
        assert "Failover state restored" in proxy.logs()
    finally:
        proxy.stop()
