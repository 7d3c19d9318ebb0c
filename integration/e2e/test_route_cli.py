"""`meta-proxy route ...` against a real ZooKeeper and simulated clusters."""
import json
import threading

from conftest import meta_proxy


def test_sync_two_clusters_with_a_conflicting_table(sims, zk, zk_root):
    a = sims("syncA", "t1:4,t2:4,shared:4")
    b = sims("syncB", "t3:4,shared:4", extra=["--app-id-base", "100"])
    zkargs = ["--zk", zk, "--zk-root", zk_root]
    meta_proxy("route", "sync", "--cluster", "syncB", "--meta", ",".join(b.metas), *zkargs)
    assert json.loads(meta_proxy("route", "get", "shared", *zkargs, "--json").stdout)["cluster"] == "syncB"

    dry = json.loads(meta_proxy("route", "sync", "--cluster", "syncA", "--meta", ",".join(a.metas),
                                "--dry-run", "--json", *zkargs).stdout)
    assert dry["dry_run"] is True
    assert {i["table"]: i["action"] for i in dry["items"]} == {"t1": "create", "t2": "create", "shared": "conflict"}
    listed = json.loads(meta_proxy("route", "list", "--json", *zkargs).stdout)
    assert sorted(r["table"] for r in listed) == ["shared", "t3"]  # the dry run wrote nothing

    done = json.loads(meta_proxy("route", "sync", "--cluster", "syncA", "--meta", ",".join(a.metas),
                                 "--json", *zkargs).stdout)
    assert {i["table"]: i["action"] for i in done["items"]}["shared"] == "conflict"
    routes = {r["table"]: r["cluster"] for r in json.loads(meta_proxy("route", "list", "--json", *zkargs).stdout)}
    assert routes == {"t1": "syncA", "t2": "syncA", "t3": "syncB", "shared": "syncB"}  # conflict left alone

    forced = json.loads(meta_proxy("route", "sync", "--cluster", "syncA", "--meta", ",".join(a.metas),
                                   "--force", "--yes", "--json", *zkargs).stdout)
    assert {i["table"]: i["action"] for i in forced["items"]} == {"t1": "unchanged", "t2": "unchanged", "shared": "overwrite"}
    assert json.loads(meta_proxy("route", "get", "shared", *zkargs, "--json").stdout)["cluster"] == "syncA"


def test_switch_is_compare_and_set(sims, zk, zk_root):
    a = sims("casA", "t1:4")
    zkargs = ["--zk", zk, "--zk-root", zk_root]
    meta_proxy("route", "set", "t1", "--cluster", "casA", "--meta", ",".join(a.metas), *zkargs)
    # Many concurrent switches of the same node: each reads a version and writes only if it is
    # unchanged, so every one either wins or fails with "changed meanwhile" — none is lost unseen.
    results = []

    def switch(i):
        r = meta_proxy("route", "switch", "t1", "--cluster", "c%d" % i, "--meta", "127.0.0.1:%d" % (40000 + i),
                       *zkargs, check=False)
        results.append((i, r.returncode, r.stdout + r.stderr))

    threads = [threading.Thread(target=switch, args=(i,)) for i in range(8)]
    for t in threads: t.start()
    for t in threads: t.join(60)
    winners = [i for i, rc, _ in results if rc == 0]
    losers = [out for _, rc, out in results if rc != 0]
    assert winners, results
    assert all("changed meanwhile" in out for out in losers), losers
    final = json.loads(meta_proxy("route", "get", "t1", *zkargs, "--json").stdout)["cluster"]
    assert final in {"c%d" % i for i in winners}
