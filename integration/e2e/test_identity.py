"""meta-proxy's identity and health as a process: --version, metaproxy_build_info, the process
metrics from /proc, and the reload-failure metrics of SIGHUP and of the policy and routes files."""
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import _bin, wait_for


def metric(text, name, labels=None):
    """The value of one sample of `name` (whose labels include `labels`), or None."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not m or m.group(1) != name:
            continue
        found = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(found.get(k) == v for k, v in (labels or {}).items()):
            return float(m.group(4))
    return None


def labels_of(text, name):
    for line in text.splitlines():
        if line.startswith(name + "{"):
            return dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', line))
    return None


def version_lines():
    r = subprocess.run([_bin("META_PROXY_BIN", "meta-proxy"), "--version"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout.strip().splitlines()


def test_version_prints_version_commit_date_and_swift_and_exits_0():
    lines = version_lines()
    assert len(lines) == 4, lines
    assert re.fullmatch(r"meta-proxy \d+\.\d+\.\d+\S*", lines[0]), lines
    assert re.fullmatch(r"commit: ([0-9a-f]{40}(-dirty)?|unknown)", lines[1]), lines
    assert re.fullmatch(r"built: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown)", lines[2]), lines
    assert re.fullmatch(r"swift: (\d+\.\d+(\.\d+)?|>=\d+\.\d+)", lines[3]), lines


@pytest.fixture
def routed(tmp_path, sims):
    """A config file with a routes file (one table on a simulated cluster) and a policy directory."""
    a = sims("idA", "t1:4")
    routes = tmp_path / "routes.yaml"
    routes.write_text('tables:\n  t1: { cluster: idA, meta-addrs: [%s] }\n' % ", ".join('"%s"' % m for m in a.metas))
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "default.yaml").write_text('name: default\ntables: ["*"]\nkind: manual\n')
    config = tmp_path / "proxy.yaml"
    config.write_text("routes_file: routes.yaml\nfailover: { policies_dir: policies }\nlog: { level: info }\n")
    return tmp_path, config


def test_build_info_and_process_metrics(routed, proxies):
    _, config = routed
    started = time.time()
    proxy = proxies("--config", str(config))
    text = proxy.metrics()
    version = version_lines()
    info = labels_of(text, "metaproxy_build_info")
    assert info is not None, text
    assert info["version"] == version[0].split()[1]
    assert info["commit"] == version[1].split(": ")[1]
    assert info["swift_version"] == version[3].split(": ")[1]
    assert metric(text, "metaproxy_build_info") == 1
    # The startup line names the version.
    start = next(l for l in proxy.logs().splitlines() if "Starting meta-proxy" in l)
    assert "Starting meta-proxy %s" % info["version"] in start and "metaproxy.version=%s" % info["version"] in start

    # Process metrics, read from /proc/<pid> of the proxy (compared with what the kernel says).
    pid = proxy.proc.pid
    rss = metric(text, "process_resident_memory_bytes")
    assert rss is not None and rss > 1 << 20, text
    with open("/proc/%d/status" % pid) as f:
        vmrss = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) * 1024
    assert 0.5 * vmrss < rss < 2 * vmrss, (rss, vmrss)
    assert metric(text, "process_virtual_memory_bytes") >= rss
    fds = metric(text, "process_open_fds")
    actual = len(os.listdir("/proc/%d/fd" % pid))
    assert fds is not None and 3 < fds and abs(fds - actual) <= 5, (fds, actual)
    with open("/proc/%d/limits" % pid) as f:
        soft = re.search(r"Max open files\s+(\d+)", f.read()).group(1)
    assert metric(text, "process_max_fds") == float(soft)
    start_time = metric(text, "process_start_time_seconds")
    assert started - 5 <= start_time <= time.time() + 1, (started, start_time)
    cpu = metric(text, "process_cpu_seconds_total")
    assert cpu is not None and cpu > 0
    # A counter: never goes down between scrapes.
    wait_for(lambda: metric(proxy.metrics(), "process_cpu_seconds_total") >= cpu, what="cpu seconds")


def test_reload_failures_are_counted(routed, proxies):
    directory, config = routed
    proxy = proxies("--config", str(config))
    text = proxy.metrics()
    for name in ("metaproxy_config_reload_failures_total", "metaproxy_policy_reload_failures_total",
                 "metaproxy_routes_file_reload_failures_total"):
        assert metric(text, name) in (None, 0), (name, text)
    assert metric(text, "metaproxy_config_reload_failed") == 0
    assert metric(text, "metaproxy_policy_reload_failed") == 0

    # A configuration file that does not load: kept, logged, counted; the gauge says so until fixed.
    good = config.read_text()
    config.write_text(good + "server: { max_connections: lots }\n")
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: metric(proxy.metrics(), "metaproxy_config_reload_failures_total") == 1, what="config failure")
    assert metric(proxy.metrics(), "metaproxy_config_reload_failed") == 1
    config.write_text(good)
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: metric(proxy.metrics(), "metaproxy_config_reload_failed") == 0, what="config fixed")
    assert metric(proxy.metrics(), "metaproxy_config_reload_failures_total") == 1

    # A policy file broken at runtime.
    (directory / "policies" / "bad.yaml").write_text("tables: [t1]\nkind: manual\nswitch: { cooldown: 30x }\n")
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: metric(proxy.metrics(), "metaproxy_policy_reload_failures_total") == 1, what="policy failure")
    assert metric(proxy.metrics(), "metaproxy_policy_reload_failed") == 1
    (directory / "policies" / "bad.yaml").unlink()
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: metric(proxy.metrics(), "metaproxy_policy_reload_failed") == 0, what="policies fixed")

    # A routes file broken at runtime (found by the poll or the SIGHUP: counted once).
    (directory / "routes.yaml").write_text("tables:\n  t1: { cluster: idA }\n")
    proxy.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: metric(proxy.metrics(), "metaproxy_routes_file_reload_failures_total") == 1,
             what="routes file failure")
    assert proxy.proc.poll() is None
