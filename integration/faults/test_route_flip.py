"""A route flipped to the backup cluster under pipelined load on several connections: once a
reply from the backup has been received, no request sent afterwards is answered by the old
cluster."""
import time

from harness import Load, meta_proxy, pyclient, report, wait_for


def test_route_flipped_to_backup_under_load(clusters, zk, zk_root, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    load = Load(p.addr, ["shared", "t2"], {"clusterA": a, "clusterB": b}, conns=4, depth=16, pause=0.005).start()
    wait_for(lambda: load.count("ok") > 200, what="load running")
    flipped = time.time()
    meta_proxy("route", "switch", "shared", "--cluster", "clusterB", "--meta", ",".join(b.metas),
               "--zk", zk.addr, "--zk-root", zk_root)
    first_b = wait_for(lambda: min((r[1] for r in list(load.records) if r[4] == "shared" and r[6] == "clusterB"),
                                   default=None), what="a reply from clusterB for shared")
    time.sleep(3)
    load.stop()

    summary = load.check_accounted()
    before = load.served_by(until=flipped)
    after = load.served_by(since=first_b)
    assert before["shared"].keys() == {"clusterA"}, before
    assert after["shared"].keys() == {"clusterB"}, after  # 0 replies from the old cluster
    assert after["t2"].keys() == {"clusterB"}
    straddling = load.served_by(since=flipped, until=first_b).get("shared", {})
    # The real client, after the flip, lands on the backup too.
    res = pyclient(p.addr, ["shared"], ops="init")
    assert res["shared"]["app_id"] == b.tables["shared"]["app_id"], res
    report("route_flip", requests=sum(summary.values()), summary=summary,
           watch_s=round(first_b - flipped, 3), old_cluster_after_first_new=after["shared"].get("clusterA", 0),
           in_flight_across_flip=straddling)
