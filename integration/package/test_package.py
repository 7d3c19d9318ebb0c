"""The Debian package (scripts/package.sh) as an operator installs it: built once, installed on this
machine with `dpkg -i`, its binary run as the `meta-proxy` user with the packaged configuration in
front of a simulated cluster and queried by the real Python client, then purged with `dpkg --purge`.

Environment: META_PROXY_DEB (the .deb scripts/test.sh built; else this test builds it, a release
build), ZK_ADDRESS (a running ZooKeeper), PEGASUS_SIM_BIN. Needs root (dpkg)."""
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "integration", "e2e"))
from conftest import Sim, free_port, free_ports, http_get, pyclient, wait_for  # noqa: E402

BIN = "/usr/bin/meta-proxy"
CONFIG = "/etc/meta-proxy/meta-proxy.yaml"
UNIT = "/usr/lib/systemd/system/meta-proxy.service"


def run(*cmd, check=True, timeout=120, **kw):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r


def installed():
    r = run("dpkg-query", "-W", "-f=${Status}", "meta-proxy", check=False)
    return r.returncode == 0 and "installed" in r.stdout and "not-installed" not in r.stdout


@pytest.fixture(scope="module")
def deb():
    if os.geteuid() != 0:
        pytest.fail("the package test installs with dpkg: run it as root (scripts/test.sh on the CI machine)")
    path = os.environ.get("META_PROXY_DEB")
    if not path:
        out = tempfile.mkdtemp(prefix="meta-proxy-deb-")
        path = run(os.path.join(ROOT, "scripts", "package.sh"), out, timeout=3600).stdout.strip().splitlines()[-1]
    assert os.path.isfile(path), path
    return path


@pytest.fixture(scope="module")
def package(deb):
    """The package installed; purged after the module (if a test did not already)."""
    if installed():
        run("dpkg", "--purge", "meta-proxy")
    run("dpkg", "-i", deb)
    yield deb
    if installed():
        run("dpkg", "--purge", "meta-proxy", check=False)


def test_package_holds_the_binary_config_policies_and_unit(deb):
    info = run("dpkg-deb", "--info", deb).stdout
    depends = re.search(r"^ Depends: (.*)$", info, re.M).group(1)
    names = [d.strip().split()[0] for d in depends.split(",")]
    # The system libraries come from Debian packages; the Swift runtime is inside the binary.
    assert "libzookeeper-mt2" in names and "passwd" in names, depends
    assert any(n.startswith("libcurl4") for n in names), depends
    assert not any("swift" in n for n in names), depends
    files = run("dpkg-deb", "--contents", deb).stdout
    for path in ("./usr/bin/meta-proxy", "./etc/meta-proxy/meta-proxy.yaml", "./etc/meta-proxy/policies/default.yaml",
                 "./usr/lib/systemd/system/meta-proxy.service"):
        assert path in files, (path, files)
    control = tempfile.mkdtemp(prefix="meta-proxy-deb-control-")
    try:
        run("dpkg-deb", "--control", deb, control)
        with open(os.path.join(control, "conffiles")) as f:
            assert f.read().split() == ["/etc/meta-proxy/meta-proxy.yaml", "/etc/meta-proxy/policies/default.yaml"]
    finally:
        shutil.rmtree(control)


def test_installed_binary_needs_no_swift_toolchain(package):
    libs = run("ldd", BIN).stdout
    assert "swift" not in libs and "libFoundation" not in libs, libs
    assert "libzookeeper_mt.so" in libs and "libcurl.so" in libs, libs
    version = run(BIN, "--version").stdout.splitlines()
    assert version[0].startswith("meta-proxy "), version
    assert package.endswith("_%s_%s.deb" % (version[0].split()[1], run("dpkg", "--print-architecture").stdout.strip()))


def test_postinst_made_the_service_user_and_state_directory(package):
    user = pwd.getpwnam("meta-proxy")
    assert user.pw_uid < 1000 and user.pw_shell.endswith("nologin"), user
    st = os.stat("/var/lib/meta-proxy")
    assert st.st_uid == user.pw_uid and oct(st.st_mode & 0o777) == "0o750"


def test_unit_file(package):
    with open(UNIT) as f:
        text = f.read()
    keys = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            keys.setdefault(k.strip(), []).append(v.strip())
    assert keys["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert keys["User"] == ["meta-proxy"] and keys["Restart"] == ["on-failure"]
    assert keys["ProtectSystem"] == ["strict"] and keys["ReadWritePaths"] == ["/var/lib/meta-proxy"]
    assert keys["ExecStart"] == ["/usr/bin/meta-proxy serve --config /etc/meta-proxy/meta-proxy.yaml"]
    if shutil.which("systemd-analyze"):
        r = run("systemd-analyze", "verify", UNIT, check=False)
        # Only problems of this unit count (the verifier also reports on units it pulls in).
        own = [l for l in (r.stdout + r.stderr).splitlines() if "meta-proxy.service" in l]
        assert not own, r.stdout + r.stderr


def test_installed_binary_checks_and_serves_with_the_packaged_config(package, tmp_path):
    r = run(BIN, "check", "--config", CONFIG)
    assert r.stdout.splitlines()[-1] == "check passed", r.stdout
    assert "policies /etc/meta-proxy/policies: 1 policy file: default.yaml (manual: *)" in r.stdout

    zk = os.environ.get("ZK_ADDRESS")
    assert zk, "ZK_ADDRESS is not set"
    root = "/package-%s" % uuid.uuid4().hex[:10]
    sim = Sim("pkgA", "orders:4")
    proc = None
    try:
        run(BIN, "route", "set", "orders", "--cluster", "pkgA", "--meta", ",".join(sim.metas),
            "--zk", zk, "--zk-root", root)
        r = run(BIN, "check", "--config", CONFIG, "--zk", zk, "--root", root)
        assert "1 route node, 0 invalid" in r.stdout, r.stdout
        listen, admin = ("127.0.0.1:%d" % port for port in free_ports(2))
        log = tmp_path / "serve.log"
        # As the unit runs it: the meta-proxy user, the packaged config (ZooKeeper and ports from flags).
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                ["setpriv", "--reuid=meta-proxy", "--regid=meta-proxy", "--init-groups", BIN, "serve",
                 "--config", CONFIG, "--zk", zk, "--zk-root", root, "--listen", listen, "--admin-listen", admin],
                stdout=out, stderr=subprocess.STDOUT, cwd="/")
        wait_for(lambda: proc.poll() is None and http_get(admin, "/readyz", 1)[0] == 200, timeout=60,
                 what="installed meta-proxy ready (%s)" % log)
        res = pyclient(listen, ["orders"])
        assert res["orders"].get("init") and res["orders"]["app_id"] == sim.tables["orders"]["app_id"], res
        assert res["orders"].get("get") == [0, "v-orders-x"], res
        q = run(BIN, "query", "orders", "--meta", listen)
        assert "ERR_OK" in q.stdout or "orders" in q.stdout, q.stdout
        metrics = http_get(admin, "/metrics")[1]
        assert 'metaproxy_build_info{' in metrics and "process_resident_memory_bytes" in metrics
        with open("/proc/%d/status" % proc.pid) as f:
            uid = int(re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1))
        assert uid == pwd.getpwnam("meta-proxy").pw_uid
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, log.read_text()
        proc = None
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        sim.stop()
        run(BIN, "route", "delete", "orders", "--zk", zk, "--zk-root", root, check=False)


def test_purge_removes_the_package_the_user_and_the_state(package):
    run("dpkg", "--purge", "meta-proxy")
    assert not installed()
    for path in (BIN, UNIT, CONFIG, "/etc/meta-proxy", "/var/lib/meta-proxy"):
        assert not os.path.exists(path), path
    with pytest.raises(KeyError):
        pwd.getpwnam("meta-proxy")
