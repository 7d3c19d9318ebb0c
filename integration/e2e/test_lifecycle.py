"""Process lifecycle of `meta-proxy serve` and the operator commands, seen from outside: SIGHUP reloads
and never kills, a startup failure is one line and exit 1 (no trap, no backtrace), and the ZooKeeper C
client's lines are levelled and folded (a dead ZooKeeper is a few lines, not hundreds a second).

Waits are generous; nothing asserts speed."""
import json
import signal
import socket
import subprocess
import time

import pytest

import wire
from conftest import Proxy, _bin, free_port, free_ports, http_get, meta_proxy, wait_for

TRAP_MARKERS = ("Fatal error", "Cancellation took longer", "Current stack trace", "Backtrace", "NSCocoaErrorDomain")


def _routes(path, sim, tables):
    metas = ", ".join('"%s"' % m for m in sim.metas)
    text = "tables:\n" + "".join("  %s: { cluster: %s, meta_addrs: [%s] }\n" % (t, sim.name, metas) for t in tables)
    path.write_text(text)


def _policy(directory, name, table):
    (directory / ("%s.yaml" % name)).write_text('name: %s\ntables: ["%s"]\nkind: manual\n' % (name, table))


def _config(path, level, extra=""):
    path.write_text("routes_file: routes.yaml\nfailover: { policies_dir: policies }\nlog: { level: %s }\n%s"
                    % (level, extra))


@pytest.fixture
def reloadable(sims, tmp_path):
    """A proxy on a routes file and a policy directory, from a config file at level `warning`."""
    a = sims("hupA", "t1:4,t2:4")
    _routes(tmp_path / "routes.yaml", a, ["t1"])
    (tmp_path / "policies").mkdir()
    _policy(tmp_path / "policies", "first", "t1")
    config = tmp_path / "meta-proxy.yaml"
    _config(config, "warning")
    proxy = Proxy(["--config", str(config)])
    yield proxy, a, tmp_path, config
    proxy.stop()


def _policy_names(proxy):
    status, body = http_get(proxy.admin, "/failover")
    assert status == 200, body
    return sorted(p["name"] for p in json.loads(body)["policies"]["loaded"])


def test_sighup_reloads_routes_policies_and_log_level_and_keeps_serving(reloadable):
    proxy, a, tmp_path, config = reloadable
    assert wire.query(proxy.addr, "t1")[3]["err"] == "ERR_OK"
    assert "Starting meta-proxy" not in proxy.logs()  # info, below `warning`

    _routes(tmp_path / "routes.yaml", a, ["t1", "t2"])
    _policy(tmp_path / "policies", "second", "t2")
    _config(config, "info")
    proxy.proc.send_signal(signal.SIGHUP)

    wait_for(lambda: "Reload done" in proxy.logs(), timeout=20, what="the reload's info line (level now info)")
    assert proxy.proc.poll() is None, proxy.logs()
    done = next(line for line in proxy.logs().splitlines() if "Reload done" in line)
    assert "reload.config.applied=log.level" in done, done
    wait_for(lambda: wire.query(proxy.addr, "t2")[3]["err"] == "ERR_OK", timeout=20, what="t2 routed after SIGHUP")
    assert _policy_names(proxy) == ["first", "second"]
    assert wire.query(proxy.addr, "t1")[3]["err"] == "ERR_OK"

    # SIGPIPE is ignored.
    proxy.proc.send_signal(signal.SIGPIPE)

    # A habitual second HUP, nothing changed: still serving.
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: proxy.logs().count("Reload done") == 2, timeout=20, what="second reload")
    assert proxy.proc.poll() is None
    assert wire.query(proxy.addr, "t2")[3]["err"] == "ERR_OK"
    assert proxy.stop() == 0


def test_sighup_with_a_bad_config_keeps_the_old_settings_and_names_key_and_file(reloadable):
    proxy, a, tmp_path, config = reloadable
    config.write_text("routes_file: routes.yaml\nserver: { max_connections: lots }\nlog: { level: debug }\n")
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "Configuration reload failed" in proxy.logs(), timeout=20, what="the reload error")
    line = next(l for l in proxy.logs().splitlines() if "Configuration reload failed" in l)
    assert "server.max_connections" in line and str(config) in line, line
    assert proxy.proc.poll() is None
    assert wire.query(proxy.addr, "t1")[3]["err"] == "ERR_OK"
    # The level stayed `warning`: the reload's info line is not shown.
    time.sleep(1)
    assert "Reload done" not in proxy.logs()

    # A changed key that needs a restart is named, not applied; the process keeps running.
    _config(config, "info", "server: { max_connections: 5 }\n")
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "take effect only after a restart" in proxy.logs(), timeout=20, what="restart-needed warning")
    line = next(l for l in proxy.logs().splitlines() if "take effect only after a restart" in l)
    assert "server.max_connections" in line, line
    assert proxy.proc.poll() is None
    assert proxy.stop() == 0


def _serve(*args, timeout=60):
    return subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "serve", *args],
                          capture_output=True, text=True, timeout=timeout)


def _assert_one_line_failure(r, *expected):
    lines = r.stderr.splitlines()
    errors = [l for l in lines if l.startswith("meta-proxy: ")]
    assert r.returncode == 1, (r.returncode, r.stderr[-3000:])
    assert len(errors) == 1, r.stderr[-3000:]
    for text in expected:
        assert text in errors[0], (text, errors[0])
    assert not any(marker in r.stderr for marker in TRAP_MARKERS), r.stderr[-3000:]
    assert len(lines) <= 10, r.stderr  # startup info lines and the error, no backtrace


@pytest.fixture
def routes_file(tmp_path):
    path = tmp_path / "routes.yaml"
    path.write_text('tables:\n  t1: { cluster: c, meta_addrs: ["127.0.0.1:1"] }\n')
    return str(path)


@pytest.mark.parametrize("which", ["client", "admin"])
def test_listen_port_in_use_is_one_line_and_exit_1(routes_file, tmp_path, which):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = "127.0.0.1:%d" % holder.getsockname()[1]
        other = "127.0.0.1:%d" % free_port()
        listen, admin = (busy, other) if which == "client" else (other, busy)
        r = _serve("--listen", listen, "--admin-listen", admin, "--routes", routes_file,
                   "--policies", str(tmp_path / "none"))
    key = "server.listen" if which == "client" else "server.admin_listen"
    _assert_one_line_failure(r, "cannot listen on %s (%s)" % (busy, key), "Address already in use (errno 98)")


def test_non_local_listen_address_is_one_line_and_exit_1(routes_file, tmp_path):
    r = _serve("--listen", "192.0.2.1:%d" % free_port(), "--admin-listen", "127.0.0.1:%d" % free_port(),
               "--routes", routes_file, "--policies", str(tmp_path / "none"))
    _assert_one_line_failure(r, "cannot listen on 192.0.2.1:", "Cannot assign requested address (errno 99)")


def _listen_flags():
    """--listen and --admin-listen on two distinct free loopback ports."""
    listen, admin = free_ports(2)
    return ["--listen", "127.0.0.1:%d" % listen, "--admin-listen", "127.0.0.1:%d" % admin]


def test_missing_routes_file_is_one_line_and_exit_1(tmp_path):
    missing = str(tmp_path / "no-such-routes.yaml")
    r = _serve(*_listen_flags(),
               "--routes", missing)
    _assert_one_line_failure(r, missing, "No such file or directory (errno 2)")


def test_unreadable_policies_dir_is_one_line_and_exit_1(routes_file, tmp_path):
    not_a_directory = tmp_path / "policies"
    not_a_directory.write_text("a file where the policy directory should be\n")
    r = _serve(*_listen_flags(),
               "--routes", routes_file, "--policies", str(not_a_directory))
    _assert_one_line_failure(r, str(not_a_directory), "Not a directory (errno 20)")


def test_cli_against_a_dead_zookeeper_is_a_few_lines_with_the_useful_one():
    dead = "127.0.0.1:%d" % free_port()
    r = subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "route", "list", "--zk", dead, "--zk-timeout", "3"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 69, r.stderr[-3000:]  # EX_UNAVAILABLE
    lines = r.stderr.splitlines()
    assert len(lines) <= 3, r.stderr[-3000:]
    assert any("cannot connect to ZooKeeper %s" % dead in l for l in lines), r.stderr

    # --verbose shows the C client's lines (folded: a few, not one per attempt).
    r = subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "route", "list", "--zk", dead, "--zk-timeout", "3",
                        "--verbose"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 69
    c_lines = [l for l in r.stderr.splitlines() if "ZooKeeper C client" in l]
    assert 1 <= len(c_lines) <= 20, r.stderr[-3000:]


def test_serve_with_zookeeper_down_logs_a_bounded_number_of_lines(tmp_path):
    dead = "127.0.0.1:%d" % free_port()
    admin = "127.0.0.1:%d" % free_port()
    log_path = tmp_path / "proxy.log"
    with open(str(log_path), "wb") as log:
        proc = subprocess.Popen([_bin("META_PROXY_BIN", "meta-proxy"), "serve", "--listen",
                                 "127.0.0.1:%d" % free_port(), "--admin-listen", admin, "--zk", dead,
                                 "--policies", str(tmp_path / "none")], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: http_get(admin, "/healthz", 1)[0] == 200, timeout=60, what="serving without ZooKeeper")
            time.sleep(8)  # the outage: the C client retries many times a second
            assert proc.poll() is None
        finally:
            proc.terminate()
            proc.wait(30)
    c_lines = [l for l in log_path.read_text(errors="replace").splitlines() if "ZooKeeper C client" in l]
    # One line per distinct message shape per 10 s (a handful of shapes), not ~160 a second.
    assert len(c_lines) <= 20, "%d C client lines:\n%s" % (len(c_lines), "\n".join(c_lines[:40]))
