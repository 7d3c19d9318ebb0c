"""`meta-proxy check` as an operator runs it: what it prints and its exit status (0 fine, 1 any
problem, 64 usage), for a configuration file, a routes file, a policy directory and ZooKeeper routes."""
import subprocess

from conftest import _bin, meta_proxy


def check(*args):
    return subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "check", *args],
                          capture_output=True, text=True, timeout=60)


def write_setup(tmp_path):
    (tmp_path / "routes.yaml").write_text(
        'tables:\n'
        '  t1: { cluster: a, meta-addrs: ["127.0.0.1:1001"], backups: [{ cluster: b, meta-addrs: ["127.0.0.1:2001"] }] }\n'
        '  t2: { cluster: b, meta-addrs: ["127.0.0.1:2001"] }\n')
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "default.yaml").write_text('name: default\ntables: ["*"]\nkind: manual\n')
    config = tmp_path / "proxy.yaml"
    config.write_text("routes_file: routes.yaml\nfailover: { policies_dir: policies }\n")
    return config


def test_a_good_setup_passes_and_says_what_it_found(tmp_path):
    config = write_setup(tmp_path)
    r = check("--config", str(config))
    assert r.returncode == 0, (r.stdout, r.stderr)
    lines = r.stdout.splitlines()
    assert lines[0].startswith("config %s: route source routes file %s/routes.yaml" % (config, tmp_path)), lines
    assert lines[1] == "routes %s/routes.yaml: 2 tables (t1, t2), 2 clusters (a, b), 1 with backups" % tmp_path
    assert lines[2] == "policies %s/policies: 1 policy file: default.yaml (manual: *)" % tmp_path
    assert lines[-1] == "check passed"


def test_every_problem_is_listed_with_file_and_key_and_exits_1(tmp_path):
    config = write_setup(tmp_path)
    (tmp_path / "policies" / "a.yaml").write_text("tables: [t1]\nkind: manual\nswitch: { cooldown: 30x }\n")
    (tmp_path / "policies" / "b.yaml").write_text("tables: [t2]\nkind: nope\n")
    (tmp_path / "routes.yaml").write_text('tables:\n  t1: { cluster: a, meta-addrs: ["127.0.0.1:1001"], backups: [{ cluster: a, meta-addrs: ["127.0.0.1:1002"] }] }\n')
    r = check("--config", str(config))
    assert r.returncode == 65, (r.stdout, r.stderr)
    problems = [l for l in r.stdout.splitlines() if l.startswith("problem: ")]
    assert len(problems) == 3, r.stdout
    assert problems[0].startswith("problem: %s/routes.yaml: tables.t1.backups" % tmp_path), problems
    assert problems[1].startswith("problem: %s/policies/a.yaml: switch.cooldown: " % tmp_path), problems
    assert problems[2].startswith("problem: %s/policies/b.yaml: kind: " % tmp_path), problems
    assert r.stdout.splitlines()[-1] == "check failed: 3 problems"

    config.write_text("routes_file: routes.yaml\nserver: { listen: nowhere }\n")
    r = check("--config", str(config))
    assert r.returncode == 65
    assert "problem: %s: server.listen: " % config in r.stdout, r.stdout


def test_flags_replace_the_files_the_config_names(tmp_path):
    write_setup(tmp_path)
    (tmp_path / "other.yaml").write_text('tables:\n  x: { cluster: c, meta-addrs: ["127.0.0.1:3001"] }\n')
    r = check("--config", str(tmp_path / "proxy.yaml"), "--routes", str(tmp_path / "other.yaml"))
    assert r.returncode == 0, r.stdout
    assert "routes %s/other.yaml: 1 table (x), 1 cluster (c), 0 with backups" % tmp_path in r.stdout


def test_usage_errors_exit_64():
    assert check().returncode == 64
    assert check("--root", "/x").returncode == 64
    assert check("--zk", "not-an-address").returncode == 64


def test_zookeeper_route_nodes(zk, zk_root):
    meta_proxy("route", "set", "t1", "--cluster", "a", "--meta", "127.0.0.1:1001",
               "--backup", "b=127.0.0.1:2001", "--zk", zk, "--zk-root", zk_root)
    meta_proxy("route", "set", "t2", "--cluster", "b", "--meta", "127.0.0.1:2002", "--zk", zk, "--zk-root", zk_root)
    r = check("--zk", zk, "--root", zk_root)
    assert r.returncode == 65, r.stdout
    assert r.stdout.splitlines()[0] == (
        "ZooKeeper %s root %s: 2 route nodes, 0 invalid; 2 tables (t1, t2), 2 clusters (a, b), 1 with backups" % (zk, zk_root))
    assert 'problem: %s/t2: cluster: cluster "b" has MetaServers [127.0.0.1:2002] here but [127.0.0.1:2001] in table "t1"' % zk_root \
        in r.stdout, r.stdout

    meta_proxy("route", "set", "t2", "--cluster", "b", "--meta", "127.0.0.1:2001", "--zk", zk, "--zk-root", zk_root)
    r = check("--zk", zk, "--root", zk_root)
    assert r.returncode == 0, r.stdout
    assert r.stdout.splitlines()[-1] == "check passed"
