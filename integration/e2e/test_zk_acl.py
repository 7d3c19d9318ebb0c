"""ZooKeeper digest authentication and ACLs end to end (docs/security.md): an operator identity writes
routes and prepares the failover subtree with the CLI; a proxy with its own credentials serves the routes,
is elected decider, publishes health and effective routes; other identities can read but not write.

Real ZooKeeper, pegasus-sim and meta-proxy processes; waits poll with generous timeouts, nothing asserts speed."""
import base64
import hashlib
import json
import re

import pytest

import wire
from conftest import _bin, http_get, meta_proxy, wait_for
from test_failover import active, app_id, status, wait_active, warm, write_policy

OPERATOR = "digest:operator:op-Pa55word"
PROXY = "digest:proxy:proxy-Pa55word"
WRONG = "digest:proxy:wrong-Pa55word"


def digest_id(credentials):
    """The ZooKeeper id of digest credentials: digest:user:base64(sha1(user:password))."""
    user_password = credentials.split(":", 1)[1]
    user = user_password.split(":", 1)[0]
    return "digest:%s:%s" % (user, base64.b64encode(hashlib.sha1(user_password.encode()).digest()).decode())


def write_secret(tmp_path, name, credentials):
    path = tmp_path / name
    path.write_text(credentials + "\n")
    path.chmod(0o600)
    return str(path)


def write_config(tmp_path, name, zk, zk_root, auth_file, policies):
    path = tmp_path / name
    path.write_text(json.dumps({
        "zookeeper": {"address": [zk], "root": zk_root, "auth_file": auth_file,
                      "failover_writers": [digest_id(OPERATOR)]},
        "failover": {"policies_dir": policies},
        "log": {"level": "info"},
    }))
    return str(path)


@pytest.fixture
def secured(tmp_path, sims, zk, zk_root):
    """Routes of t1 (clusterA, backup clusterB) written by the operator; the failover subtree prepared."""
    a = sims("clusterA", "t1:4")
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    operator = write_secret(tmp_path, "operator.auth", OPERATOR)
    zk_args = ["--zk", zk, "--zk-root", zk_root]
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), *zk_args, "--zk-auth-file", operator)
    init = meta_proxy("failover", "init", *zk_args, "--zk-auth-file", operator,
                      "--failover-writer", digest_id(PROXY))
    assert init.stdout.split("\n")[:3] == ["created %s/.meta-proxy" % zk_root,
                                           "created %s/.meta-proxy/failover" % zk_root,
                                           "created %s/.meta-proxy/decider" % zk_root], init.stdout
    policies = tmp_path / "policies"
    policies.mkdir()
    return a, b, operator, zk_args, str(policies)


def start_proxy(proxies, tmp_path, zk, zk_root, policies, credentials, name):
    auth_file = write_secret(tmp_path, name + ".auth", credentials)
    return proxies("--config", write_config(tmp_path, name + ".yaml", zk, zk_root, auth_file, policies)), auth_file


def write_errors(proxy, node):
    total = 0
    for m in re.finditer(r'metaproxy_failover_state_write_errors_total\{([^}]*)\} (\d+)', proxy.metrics()):
        if 'node="%s"' % node in m.group(1) and 'code="noauth"' in m.group(1):
            total += int(m.group(2))
    return total


def test_routes_are_world_readable_and_only_the_operator_changes_them(secured, proxies, tmp_path, zk, zk_root):
    a, b, operator, zk_args, policies = secured
    # Anyone reads the route; the proxy with its own credentials serves it.
    got = json.loads(meta_proxy("route", "get", "t1", *zk_args, "--json").stdout)
    assert json.dumps(got).count("clusterA") >= 1
    proxy, proxy_auth = start_proxy(proxies, tmp_path, zk, zk_root, policies, PROXY, "proxy")
    assert wire.query(proxy.addr, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]

    # Neither an anonymous session nor the proxy identity may change, add or delete a route.
    for auth in ([], ["--zk-auth-file", proxy_auth]):
        changed = meta_proxy("route", "set", "t1", "--cluster", "clusterB", "--meta", ",".join(b.metas),
                             *zk_args, *auth, check=False)
        assert changed.returncode != 0
        assert "not authenticated" in changed.stderr and zk_root + "/t1" in changed.stderr, changed.stderr
        added = meta_proxy("route", "set", "t2", "--cluster", "clusterB", "--meta", ",".join(b.metas),
                           *zk_args, *auth, check=False)
        assert added.returncode != 0 and zk_root + "/t2" in added.stderr, added.stderr
        deleted = meta_proxy("route", "delete", "t1", *zk_args, *auth, check=False)
        assert deleted.returncode != 0
        assert "not authenticated" in deleted.stderr and zk_root + "/t1" in deleted.stderr, deleted.stderr
    assert "clusterA" in meta_proxy("route", "get", "t1", *zk_args).stdout
    assert wire.query(proxy.addr, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]


def test_proxy_credentials_write_failover_state_and_instances_route_by_it(secured, proxies, tmp_path, zk, zk_root):
    a, b, operator, zk_args, policies = secured
    write_policy(policies, "auto-failover")
    proxy, _ = start_proxy(proxies, tmp_path, zk, zk_root, policies, PROXY, "proxy")
    warm([proxy])
    assert status(proxy)["is_decider"]
    overview = wait_for(lambda: (lambda o: o if o["decider"] and o["health"]["published"] else None)(
        json.loads(meta_proxy("failover", "status", "--json", *zk_args).stdout)), timeout=60,
        what="health published by the proxy identity")
    assert str(proxy.port) in overview["decider"]["instance"]
    assert app_id(proxy) == a.tables["t1"]["app_id"]

    # The primary dies: the decider (proxy identity) writes the effective route, and routes by it.
    a.ctl("/kill-all")
    wait_active(proxy, "clusterB", timeout=60, what="t1 switched to clusterB by the proxy")
    assert app_id(proxy) == b.tables["t1"]["app_id"]
    effective = json.loads(meta_proxy("failover", "status", "t1", "--json", *zk_args).stdout)["effective"]
    assert effective["active_cluster"] == "clusterB" and str(proxy.port) in effective["decided_by"]
    assert write_errors(proxy, "effective_route") == 0 and write_errors(proxy, "election") == 0

    # The operator may change the document the proxy created; an anonymous session may not.
    anonymous = meta_proxy("failover", "pause", "t1", *zk_args, check=False)
    assert anonymous.returncode != 0
    assert "not authenticated" in anonymous.stderr and zk_root + "/.meta-proxy/failover/t1" in anonymous.stderr
    paused = json.loads(meta_proxy("failover", "pause", "t1", "--json", *zk_args, "--zk-auth-file", operator).stdout)
    assert paused["paused"] and paused["changed"]


def test_wrong_password_serves_routes_but_failover_writes_fail_counted_and_logged(
        secured, proxies, tmp_path, zk, zk_root):
    a, b, operator, zk_args, policies = secured
    write_policy(policies, "auto-failover")
    proxy, auth_file = start_proxy(proxies, tmp_path, zk, zk_root, policies, WRONG, "wrong")
    # Routes are world-readable: served.
    assert wire.query(proxy.addr, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]
    # Joining the election is denied: counted, logged once at error naming the credentials file.
    wait_for(lambda: write_errors(proxy, "election") >= 2, timeout=60, what="denied election joins counted")
    logs = proxy.logs()
    assert "ZooKeeper denied a failover state write" in logs
    denied = [l for l in logs.splitlines() if "ZooKeeper denied a failover state write" in l]
    assert len(denied) == 1, denied
    assert "zookeeper.auth_file" in denied[0] and auth_file in denied[0], denied[0]
    assert zk_root + "/.meta-proxy/decider" in denied[0]
    assert "wrong-Pa55word" not in logs and "Pa55word" not in proxy.metrics()
    assert status(proxy)["is_decider"] is False
    # Still serving, not crashed.
    assert proxy.proc.poll() is None
    assert wire.query(proxy.addr, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]
    assert json.loads(meta_proxy("failover", "status", "--json", *zk_args).stdout)["decider"] is None


def test_bad_credentials_file_names_key_and_file_not_its_content(tmp_path, zk, zk_root):
    bad = write_secret(tmp_path, "bad.auth", "proxy-Pa55word")
    config = write_config(tmp_path, "bad.yaml", zk, zk_root, bad, str(tmp_path / "policies"))
    served = meta_proxy("serve", "--config", config, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                        check=False)
    assert served.returncode != 0
    assert "zookeeper.auth_file" in served.stderr and bad in served.stderr, served.stderr
    assert "Pa55word" not in served.stderr + served.stdout

    cli = meta_proxy("route", "list", "--zk", zk, "--zk-root", zk_root, "--zk-auth-file", bad, check=False)
    assert cli.returncode != 0
    assert "--zk-auth-file" in cli.stderr and bad in cli.stderr and "Pa55word" not in cli.stderr, cli.stderr
    writer = meta_proxy("failover", "init", "--zk", zk, "--zk-root", zk_root, "--zk-auth", OPERATOR,
                        "--failover-writer", PROXY, check=False)
    assert writer.returncode != 0
    assert "--failover-writer" in writer.stderr and "Pa55word" not in writer.stderr, writer.stderr
