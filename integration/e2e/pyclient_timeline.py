"""The real Pegasus Python client (pypegasus3) writing and reading one table without pause, with a
per-second timeline: how many set+get pairs succeeded, how many failed, and which cluster answered
(the ReplicaServer the client talked to, mapped to its cluster by --cluster NAME=host:port,...).
Used by scripts/demo.sh to show a failover from the client's side, and by its test.

    python3 pyclient_timeline.py --meta 127.0.0.1:34601 --table orders \\
        --cluster demo-a=127.0.0.1:34704,... --cluster demo-b=127.0.0.1:34804,... \\
        [--seconds 60] [--stop-after-on demo-b:3] [--timeout 500]

One line per second on stdout, e.g. `  t=  7s  ok   9  err  0  answered by demo-b`, then one JSON
line (prefixed `summary `) with the totals per cluster. It stops after --seconds, or once the
cluster named in --stop-after-on has answered every pair of that many whole seconds in a row.
The client is used as an application would: built once, never re-created; it re-queries the
MetaServers (here: the proxy) on its own when its requests keep failing (pypegasus3 re-queries
after 5 timeouts or an ERR_OBJECT_NOT_FOUND / ERR_INVALID_STATE reply, at its 2 s check).
"""
import argparse
import json
import sys
import time

from twisted.internet import defer, reactor, task

from pypegasus.pgclient import Pegasus


def parse_clusters(specs):
    by_addr = {}
    for spec in specs:
        name, _, addrs = spec.partition("=")
        for addr in addrs.split(","):
            if addr:
                by_addr[addr] = name
    return by_addr


def answered_by(client, key, by_addr):
    """The cluster of the ReplicaServer the client sends `key`'s requests to (its current config)."""
    try:
        blob = Pegasus.generate_key(key, b"s")
        pidx = client.table.get_gpid(blob).get_pidx()
        host, port = client.table.partition_dict[pidx].to_host_port()
        return by_addr.get("%s:%d" % (host, port), "%s:%d" % (host, port))
    except Exception:  # no config yet
        return None


@defer.inlineCallbacks
def run(args, by_addr, out):
    client = Pegasus(args.meta, args.table, timeout=args.timeout)
    start = time.time()
    second = {"ok": 0, "err": 0, "by": {}}
    totals = {}
    stop_cluster, _, stop_n = (args.stop_after_on or ":0").partition(":")
    streak = 0
    try:
        ok = yield client.init()
        out["init"] = bool(ok) and client.table.query_cfg_response is not None
        i = 0
        t_second = 0
        while time.time() - start < args.seconds:
            i += 1
            key = ("timeline-%d" % (i % 50)).encode()
            value = ("v%d" % i).encode()
            cluster = answered_by(client, key, by_addr)
            good = False
            try:
                code, _ = yield client.set(key, b"s", value)
                if code == 0:
                    code, got = yield client.get(key, b"s")
                    good = code == 0 and got == value
            except Exception:
                good = False
            second["ok" if good else "err"] += 1
            if good and cluster:
                second["by"][cluster] = second["by"].get(cluster, 0) + 1
            now = int(time.time() - start)
            if now > t_second:
                names = " + ".join(sorted(second["by"])) or "-"
                print("  t=%3ds  ok %3d  err %3d  answered by %s" % (now, second["ok"], second["err"], names),
                      flush=True)
                for name, n in second["by"].items():
                    totals[name] = totals.get(name, 0) + n
                out["ok"] = out.get("ok", 0) + second["ok"]
                out["errors"] = out.get("errors", 0) + second["err"]
                only_stop = second["err"] == 0 and set(second["by"]) == {stop_cluster}
                streak = streak + 1 if only_stop else 0
                second = {"ok": 0, "err": 0, "by": {}}
                t_second = now
                if stop_cluster and streak >= int(stop_n or "0"):
                    break
            # About 10 pairs a second while healthy; a failing request already waited its timeout.
            yield task.deferLater(reactor, 0.1, lambda: None)
    except Exception as e:  # report, never hang
        out["exception"] = repr(e)
    finally:
        client.close()
    out["by_cluster"] = totals


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--meta", action="append", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--cluster", action="append", default=[], help="NAME=replica host:port,...")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--stop-after-on", default=None, help="CLUSTER:N: stop after N clean seconds on CLUSTER")
    p.add_argument("--timeout", type=int, default=500, help="client timeout per request, ms")
    args = p.parse_args()
    out = {}

    def finish(_=None):
        print("summary " + json.dumps(out), flush=True)
        if reactor.running:
            reactor.stop()

    def failed(f):
        out["_error"] = str(f.value)
        finish()

    reactor.callWhenRunning(lambda: run(args, parse_clusters(args.cluster), out).addCallbacks(finish, failed))
    reactor.callLater(args.seconds + 30, lambda: (out.setdefault("_error", "overall timeout"), finish()))
    reactor.run()
    return 0 if "_error" not in out and "exception" not in out else 1


if __name__ == "__main__":
    sys.exit(main())
