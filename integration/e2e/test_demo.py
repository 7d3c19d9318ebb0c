"""scripts/demo.sh, the README's first command, run as a newcomer would see it (in its fast mode:
the debug binaries, no package installation, ports of this run): the routing part, then the
failover part with the real Python client across the switch, `failover status`, `failover back`."""
import os
import random
import re
import socket
import subprocess

from conftest import ROOT, _bin, free_port


def free_block(n, taken=()):
    """The first of `n` consecutive free loopback ports (the simulated clusters' --base-port), below
    the kernel's ephemeral range so that outgoing connections of other processes cannot take them."""
    for _ in range(500):
        base = random.randrange(20000, 32000 - n)
        if any(p in taken for p in range(base, base + n)):
            continue
        socks = []
        try:
            for port in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise AssertionError("no %d consecutive free ports" % n)


def run_demo(bin_dir):
    """Runs the demo on free ports; a port taken between the choice and the bind (by another process)
    is test infrastructure: the demo says so and the run is repeated on other ports, twice at most."""
    for _ in range(3):
        proxy = free_block(2)
        a = free_block(6, taken=range(proxy, proxy + 2))
        b = free_block(6, taken=list(range(proxy, proxy + 2)) + list(range(a, a + 6)))
        env = dict(os.environ, SKIP_INSTALL="1", DEMO_FAST="1", DEMO_BIN=bin_dir,
                   DEMO_PORT=str(proxy), DEMO_A_PORT=str(a), DEMO_B_PORT=str(b))
        r = subprocess.run([os.path.join(ROOT, "scripts", "demo.sh")], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
        if not (r.returncode != 0 and "ports from" in r.stdout and "taken?" in r.stdout):
            return r
    return r


def test_demo_shows_routing_and_a_failover():
    bin_dir = os.path.dirname(_bin("META_PROXY_BIN", "meta-proxy"))
    assert os.path.dirname(_bin("PEGASUS_SIM_BIN", "pegasus-sim")) == bin_dir
    r = run_demo(bin_dir)
    out = r.stdout
    assert r.returncode == 0, out[-6000:] + r.stderr[-3000:]

    # Routing part: both clusters answer through the proxy, the Python client's set/get/remove.
    assert re.search(r"table: orders\s+err: ERR_OK\s+app_id: 1 ", out), out
    assert re.search(r"table: metrics\s+err: ERR_OK\s+app_id: 101 ", out), out

    # Failover part: a timeline answered by demo-a, demo-a killed, then answered by demo-b only.
    timeline = re.findall(r"t=\s*\d+s\s+ok\s+(\d+)\s+err\s+(\d+)\s+answered by ([^\n]+)", out)
    answered = [who for _, _, who in timeline if who != "-"]
    assert answered and answered[0] == "demo-a" and answered[-1] == "demo-b", timeline
    kill = out.index("killing demo-a")
    # The first line after the kill also counts requests answered in that second before it.
    after = re.findall(r"answered by ([^\n]+)", out[kill:])[1:]
    assert after and "demo-a" not in " ".join(after), after
    # `failover status orders`: on demo-b, decided automatically because demo-a was down.
    assert re.search(r"effective\s+demo-b\s+mode=failover", out), out
    assert re.search(r"demo-a -> demo-b\s+automatic .*effective_down", out), out
    assert 'metaproxy_failover_decisions_total{table="orders",kind="switch"} 1' in out
    # demo-a back, `failover back`, and queries reach demo-a again.
    assert "demo-a is UP again" in out
    assert re.search(r"orders: demo-b -> demo-a \(mode primary, trigger manual\)", out), out
    tail = out[out.index("failover back orders"):]
    assert re.search(r"table: orders\s+err: ERR_OK\s+app_id: 1 ", tail), tail
    assert out.rstrip().splitlines()[-2] == "meta-proxy exited 0", out[-500:]
