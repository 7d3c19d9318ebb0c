"""pegasus-sim on its own: the real pypegasus3 client against simulated MetaServers."""
import wire
from conftest import pyclient, meta_proxy


def test_pypegasus_set_get_remove_on_sim(sims):
    a = sims("simA", "t1:8,t2:4")
    res = pyclient(a.metas, ["t1", "t2"])
    for t in ("t1", "t2"):
        r = res[t]
        assert r.get("init"), res
        assert r["app_id"] == a.tables[t]["app_id"]
        assert r["partition_count"] == a.tables[t]["partition_count"]
        assert r["set"] == 0 and r["get"] == [0, "v-%s-x" % t] and r["remove"] == 0, r
        assert r["get_after_remove"] != 0, r


def test_follower_answers_forward_with_leader(sims):
    a = sims("simA", "t1:4")
    leader, follower = a.metas[0], a.metas[1]
    err, name, seqid, body = wire.query(follower, "t1", seqid=9)
    assert (err, name, seqid) == ("ERR_OK", "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK", 9)
    assert body["err"] == "ERR_FORWARD_TO_OTHERS"
    assert body["partitions"][0]["primary"] == leader


def test_query_cli_follows_leader_not_first_in_list(sims):
    a = sims("simA", "t1:4")
    a.ctl("/leader?index=2")
    r = meta_proxy("query", "t1", "--meta", ",".join(a.metas), "--json")
    import json
    out = json.loads(r.stdout)
    assert out["err"] == "ERR_OK"
    assert out["app_id"] == a.tables["t1"]["app_id"]
    assert len(out["partitions"]) == 4
    assert all(p["primary"] in a.replicas for p in out["partitions"])
    # the human-readable form prints one row per partition
    text = meta_proxy("query", "t1", "--meta", ",".join(a.metas)).stdout
    assert "pidx" in text and text.count(a.replicas[0].split(":")[0]) >= 4
