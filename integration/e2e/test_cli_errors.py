"""The CLI's failures: one line for people (what failed, the address, the OS error), a JSON error
under --json, a documented exit status each (README.md), arguments checked before anything is
contacted, confirmation of --force/--planned, help that is not garbled."""
import json
import os
import pty
import subprocess
import time

from conftest import _bin, free_port, meta_proxy

USAGE, INVALID, NOT_FOUND, UNAVAILABLE, REFUSED = 64, 65, 66, 69, 75


def run(*args, input=None, timeout=60):
    return subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), *args], capture_output=True, text=True,
                          timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL)


def run_on_terminal(*args, answer):
    """Runs the CLI with a pseudo-terminal on stdin and types `answer` (a line) into it."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([_bin("META_PROXY_BIN", "meta-proxy"), *args], stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        os.close(slave)
        os.write(master, answer.encode())  # the terminal keeps the line until the prompt reads it
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    return proc.returncode, out, err


def error_line(r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


def json_error(r, code, status):
    assert r.returncode == status, (r.returncode, r.stdout, r.stderr)
    document = json.loads(r.stdout)
    assert document["error"]["code"] == code and document["error"]["exit_status"] == status, document
    assert "\n" not in document["error"]["message"]
    return document["error"]["message"]


def test_query_to_a_dead_port_is_one_line_naming_the_address_and_the_os_error():
    dead = "127.0.0.1:%d" % free_port()
    for fmt in ("thft", "rdsn"):
        r = run("query", "t1", "--meta", dead, "--timeout", "3000", "--format", fmt)
        assert r.returncode == UNAVAILABLE, (fmt, r.returncode, r.stderr)
        line = error_line(r)
        assert "cannot connect to %s" % dead in line and "Connection refused (errno 111)" in line, line
        assert "SingleConnectionFailure" not in line and "NIOConnectionError" not in line, line
        message = json_error(run("query", "t1", "--meta", dead, "--format", fmt, "--json"), "unavailable", UNAVAILABLE)
        assert "cannot connect to %s" % dead in message, message


def test_invalid_arguments_are_refused_before_any_network_call():
    # A ZooKeeper address nobody listens on, with a long session timeout: a command that tried to
    # connect would take that long and exit 69, not 65 at once.
    dead_zk = ["--zk", "127.0.0.1:%d" % free_port(), "--zk-timeout", "30"]
    cases = [
        (["query", "", "--meta", "127.0.0.1:%d" % free_port()], "is not a valid table name"),
        (["route", "set", "bad/name", "--cluster", "c1", "--meta", "127.0.0.1:1", *dead_zk], "is not a valid table name"),
        (["route", "set", "t1", "--cluster", "c1", "--meta", "127.0.0.1:1", "--backup", "c1=127.0.0.2:1", *dead_zk],
         "is the primary cluster"),
        (["route", "set", "t1", "--cluster", "c1", "--meta", "127.0.0.1:1", "--backup", "c2=127.0.0.1:1", *dead_zk],
         "shares MetaServer 127.0.0.1:1"),
        (["route", "get", "a b", *dead_zk], "is not a valid table name"),
        (["failover", "status", "bad/name", *dead_zk], "is not a valid table name"),
    ]
    for args, expected in cases:
        started = time.monotonic()
        r = run(*args)
        assert r.returncode == INVALID, (args, r.returncode, r.stderr)
        assert expected in error_line(r), (args, r.stderr)
        assert time.monotonic() - started < 10, args
        assert expected in json_error(run(*args, "--json"), "invalid_input", INVALID)


def test_usage_errors_exit_64_and_are_json_under_json():
    r = run("route", "get")
    assert r.returncode == USAGE and "Missing expected argument" in r.stderr, r.stderr
    message = json_error(run("query", "t1", "--meta", "127.0.0.1:1", "--json", "--no-such-option"), "usage", USAGE)
    assert "--no-such-option" in message


def test_not_found_and_zookeeper_unavailable_have_their_own_status(zk, zk_root):
    r = run("route", "get", "nothing-here", "--zk", zk, "--zk-root", zk_root)
    assert r.returncode == NOT_FOUND, (r.returncode, r.stderr)
    assert "nothing-here" in error_line(r)
    json_error(run("route", "get", "nothing-here", "--zk", zk, "--zk-root", zk_root, "--json"), "not_found", NOT_FOUND)

    dead = "127.0.0.1:%d" % free_port()
    r = run("route", "list", "--zk", dead, "--zk-timeout", "2")
    assert r.returncode == UNAVAILABLE, (r.returncode, r.stderr)
    assert "cannot connect to ZooKeeper %s" % dead in error_line(r)
    json_error(run("route", "list", "--zk", dead, "--zk-timeout", "2", "--json"), "unavailable", UNAVAILABLE)


def test_force_and_planned_need_confirmation(sims, zk, zk_root, tmp_path):
    a = sims("confirmA", "t1:4")
    b = sims("confirmB", "t1:4", extra=["--app-id-base", "100"])
    zkargs = ["--zk", zk, "--zk-root", zk_root]
    meta_proxy("route", "set", "t1", "--cluster", "confirmA", "--meta", ",".join(a.metas),
               "--backup", "confirmB=" + ",".join(b.metas), *zkargs)
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "default.yaml").write_text('name: manual-default\ntables: ["*"]\nkind: manual\n')
    common = ["--policies", str(policies), *zkargs]

    for args in (["switch", "t1", "--to", "confirmB", "--force"], ["switch", "t1", "--to", "confirmB", "--planned"],
                 ["back", "t1", "--force"]):
        r = run("failover", *args, *common)
        assert r.returncode == REFUSED, (args, r.returncode, r.stderr)
        assert "pass --yes" in error_line(r), r.stderr
    # "y" on a pipe is still not a terminal: refused the same way, nothing written.
    r = run("failover", "switch", "t1", "--to", "confirmB", "--force", *common, input="y\n")
    assert r.returncode == REFUSED
    status = json.loads(meta_proxy("failover", "status", "t1", "--json", *common).stdout)
    assert status["effective"] is None and status["active_cluster"] == "confirmA"

    # The guard refuses without --force: its own status, distinct from ZooKeeper being down.
    r = run("failover", "switch", "t1", "--to", "confirmB", *common)
    assert r.returncode == REFUSED and "--force overrides" in error_line(r), r.stderr
    assert json.loads(run("failover", "switch", "t1", "--to", "confirmB", "--json", *common).stdout)["error"]["code"] \
        == "refused"

    # On a terminal: a question on stderr; anything but y/yes refuses, "y" goes ahead.
    rc, out, err = run_on_terminal("failover", "switch", "t1", "--to", "confirmB", "--force", "--drill", *common,
                                   answer="n\n")
    assert rc == REFUSED and "Proceed? [y/N]" in err and "not confirmed; nothing changed" in err, (rc, err)
    rc, out, err = run_on_terminal("failover", "switch", "t1", "--to", "confirmB", "--force", "--drill", "--json",
                                   *common, answer="y\n")
    assert rc == 0, (rc, out, err)
    assert json.loads(out)["after"]["active_cluster"] == "confirmB"

    done = json.loads(meta_proxy("failover", "back", "t1", "--force", "--yes", "--json", *common).stdout)
    assert done["after"]["active_cluster"] == "confirmA"


def test_json_keeps_slashes_and_uses_snake_case(sims, zk, zk_root):
    a = sims("jsonA", "t1:4")
    zkargs = ["--zk", zk, "--zk-root", zk_root]
    meta_proxy("route", "set", "t1", "--cluster", "jsonA", "--meta", ",".join(a.metas), *zkargs)
    out = meta_proxy("route", "get", "t1", "--json", *zkargs).stdout
    assert json.loads(out)["meta_addrs"] == a.metas and "meta-addrs" not in out
    out = meta_proxy("route", "get", "nothing", "--json", *zkargs, check=False).stdout
    assert zk_root in out and "\\/" not in out, out  # the node path, slashes as they are


def test_help_documents_exit_statuses_and_completion_and_scopes_failover_writer():
    top = run("--help").stdout
    assert "Exit status" in top and "69 unavailable" in top and "--generate-completion-script" in top, top
    assert "--failover-writer" in run("failover", "init", "--help").stdout
    for read_only in (["failover", "status", "--help"], ["route", "get", "--help"], ["route", "set", "--help"]):
        assert "--failover-writer" not in run(*read_only).stdout, read_only
    # Help paragraphs are not broken mid-sentence: on a wide terminal a sentence stays on one line.
    wide = subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "failover", "switch", "--help"], capture_output=True,
                          text=True, env={"COLUMNS": "300", "PATH": "/usr/bin:/bin"}).stdout
    assert "refused unless --force. With --planned" in wide, wide
    completion = run("--generate-completion-script", "bash")
    assert completion.returncode == 0 and "meta-proxy" in completion.stdout
