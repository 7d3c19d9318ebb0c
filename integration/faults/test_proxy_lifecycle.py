"""The proxy process itself: restarted under load (SIGTERM, then a new process on the same port),
and 10,000 client connections opened and closed (file descriptors and memory come back)."""
import os
import socket
import subprocess
import time

from harness import Load, fd_count, pyclient, report, rss_kib, wait_for, wire

# After the connection storm: fds back to the baseline (+ a few for pools that may have grown
# an upstream connection), RSS within 16 MiB of the baseline (allocator caches, metric series).
FD_SLACK = 4
RSS_SLACK_KIB = 16 * 1024


def test_proxy_restarted_under_load_clients_reconnect(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    before = pyclient(p.addr, ["t1", "t2"])
    assert before["t1"].get("set") == 0 and before["t2"].get("set") == 0, before

    load = Load(p.addr, ["t1", "t2"], {"clusterA": a, "clusterB": b}, conns=4).start()
    wait_for(lambda: load.count("ok") > 100, what="load running")
    stopping = time.time()
    assert p.stop() == 0  # SIGTERM: drains in-flight queries, exits 0
    stopped = time.time()
    time.sleep(0.5)  # clients find the port closed meanwhile
    p.start()  # same port
    restarted = time.time()
    wait_for(lambda: load.count("ok", since=restarted) > 100, what="load served by the new process")
    load.stop()

    summary = load.check_accounted()
    assert load.served_by(since=restarted) == {
        "t1": {"clusterA": load.count("ok", "clusterA", since=restarted)},
        "t2": {"clusterB": load.count("ok", "clusterB", since=restarted)}}
    assert set(summary) <= {"ok:clusterA", "ok:clusterB", "closed"}, summary  # no error, only closes
    after = pyclient(p.addr, ["t1", "t2"], tag="y")
    assert after["t1"].get("get") == [0, "v-t1-y"] and after["t2"].get("get") == [0, "v-t2-y"], after
    report("proxy_restart", requests=sum(summary.values()), summary=summary, connects=load.connects,
           stop_s=round(stopped - stopping, 2), across_restart=load.summary(since=stopping - 0.2, until=restarted))


def settle(pid, steady=4, limit=60):
    """Waits until the fd count is the same `steady` seconds in a row (at most `limit` s)."""
    counts = []
    deadline = time.time() + limit
    while time.time() < deadline:
        counts.append(fd_count(pid))
        if len(counts) >= steady and len(set(counts[-steady:])) == 1:
            return counts[-1]
        time.sleep(1)
    raise AssertionError("fd count never steady: %s" % counts)


def fd_kinds(pid):
    kinds = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        kind = target.split(":")[0] if ":" in target else "file"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def tcp_sockets(pid):
    """`ss -tanp` lines of the process (diagnostics for a failed fd check)."""
    r = subprocess.run(["ss", "-tanp"], capture_output=True, text=True, timeout=10)
    return "\n".join(line for line in r.stdout.splitlines() if "pid=%d," % pid in line)


def storm(port, connections, batch, query_every):
    """Opens `connections` connections in batches of `batch`; every `query_every`-th one sends a
    query and reads its reply first. Returns (replies, refused)."""
    replies = refused = 0
    seq = 0
    for start in range(0, connections, batch):
        socks = []
        for i in range(start, min(connections, start + batch)):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
            except OSError:
                refused += 1
                continue
            socks.append(s)
            if i % query_every == 0:
                seq += 1
                s.sendall(wire.query_v0("t1", seq))
                err, _, sid, body = wire.read_reply(s)
                assert (err, sid) == ("ERR_OK", seq) and wire.parse_query_cfg(body)["err"] == "ERR_OK"
                replies += 1
        for s in socks:
            s.close()
    return replies, refused


def test_ten_thousand_connections_fds_and_memory_return(clusters, zk, proxies):
    a, b = clusters
    p = proxies(zk.addr)
    pid = p.proc.pid
    storm(p.port, 1000, 500, 10)  # warm up: pools, metric series, allocator arenas
    # An idle instance opens its upstream and probe connections over its first ~10 s (about 50
    # fds with two clusters); the baseline is taken once that count is steady.
    settle(pid)
    base_fds, base_rss = fd_count(pid), rss_kib(pid)
    base_kinds, base_sockets = fd_kinds(pid), tcp_sockets(pid)

    started = time.time()
    replies, refused = storm(p.port, 10_000, 500, 10)
    took = time.time() - started
    peak_rss = rss_kib(pid)
    try:
        fds = wait_for(lambda: (lambda n: n if n <= base_fds + FD_SLACK else None)(fd_count(pid)), timeout=30,
                       what="fd count back to %d (+%d)" % (base_fds, FD_SLACK))
    except AssertionError as e:
        raise AssertionError("%s: fds before %s, now %s\nTCP before:\n%s\nTCP now:\n%s" % (
            e, base_kinds, fd_kinds(pid), base_sockets, tcp_sockets(pid)))
    time.sleep(1)
    rss = rss_kib(pid)
    assert refused == 0 and replies == 1000
    assert rss <= base_rss + RSS_SLACK_KIB, (base_rss, rss)
    # Still serving.
    err, _, _, body = wire.query(p.addr, "t1", seqid=77)
    assert err == "ERR_OK" and body["app_id"] == a.tables["t1"]["app_id"]
    report("ten_thousand_connections", connections=10_000, queries=replies, seconds=round(took, 1),
           fds_base=base_fds, fds_after=fds, rss_base_kib=base_rss, rss_peak_kib=peak_rss, rss_after_kib=rss)
