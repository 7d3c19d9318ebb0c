"""docs/migration-from-go.md, run: the Go meta-proxy's configuration file from the doc loads as is,
a route node in the Go layout (written with ZooKeeper's own zkCli, as the Go tooling left them) is
routed, the Go metric names are served on the admin port with the config's tags, and the global
failover pause the doc prescribes for a mixed fleet is set and shown."""
import os
import re
import shutil
import subprocess

from conftest import ROOT, http_get, meta_proxy

DOC = os.path.join(ROOT, "docs", "migration-from-go.md")
ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"


def go_config_from_doc():
    with open(DOC) as f:
        text = f.read()
    m = re.search(r"<!-- test: go-config[^>]*-->\s*```yaml\n(.*?)```", text, re.S)
    assert m, "the go-config block is missing from docs/migration-from-go.md"
    return m.group(1)


def zkcli(zk, *args):
    assert os.path.exists(ZKCLI), "zkCli.sh missing (Debian package zookeeper)"
    r = subprocess.run([ZKCLI, "-server", zk, *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def test_go_config_and_go_nodes_work_unchanged(tmp_path, sims, proxies, zk, zk_root):
    config = go_config_from_doc()
    assert "address: [127.0.0.1:22181]" in config and "root: /pegasus-cluster" in config
    config = config.replace("127.0.0.1:22181", zk).replace("/pegasus-cluster", zk_root)
    path = tmp_path / "meta-proxy.yml"
    path.write_text(config)

    a = sims("goCluster", "orders:4")
    zkcli(zk, "create", zk_root, "")
    node = '{"cluster_name":"goCluster","meta_addrs":"%s"}' % ",".join(a.metas)
    assert "Created" in zkcli(zk, "create", "%s/orders" % zk_root, node)

    p = proxies("--config", str(path))
    out = meta_proxy("query", "orders", "--meta", p.addr).stdout
    assert re.search(r"app_id: %d " % a.tables["orders"]["app_id"], out), out

    status, body = http_get(p.admin, "/metrics")
    assert status == 200
    # The Go meta-proxy's names, with metric.tags from the Go config as labels.
    assert re.search(r'client_query_config_count\{[^}]*region="local"[^}]*table="orders"[^}]*\} 1', body) or \
        re.search(r'client_query_config_count\{[^}]*table="orders"[^}]*region="local"[^}]*\} 1', body), body
    assert re.search(r"^client_connection_count\{", body, re.M), body
    assert re.search(r"^zk_request_count\{", body, re.M), body


def test_mixed_fleet_pause_from_the_doc(zk, zk_root):
    with open(DOC) as f:
        text = f.read()
    assert 'meta-proxy failover pause --reason "go instances in the fleet" --zk zk1:2181 --zk-root /pegasus-cluster' in text
    meta_proxy("failover", "pause", "--reason", "go instances in the fleet", "--zk", zk, "--zk-root", zk_root,
               "--policies", os.path.join(ROOT, "policies"))
    out = meta_proxy("failover", "status", "--zk", zk, "--zk-root", zk_root,
                     "--policies", os.path.join(ROOT, "policies")).stdout
    assert "go instances in the fleet" in out, out
