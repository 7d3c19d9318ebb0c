"""Runs the real Pegasus Python client (pypegasus3) against a list of meta addresses and prints
one JSON line with what happened. Used by the end-to-end tests through a subprocess, because the
Twisted reactor can run only once per process.

    python3 pyclient_ops.py --meta 127.0.0.1:34601 --table t1 --table t2 [--ops setgetremove|init]
"""
import argparse
import json
import sys

from twisted.internet import defer, reactor

from pypegasus.pgclient import Pegasus


@defer.inlineCallbacks
def run(args, out):
    for table in args.table:
        res = {}
        out[table] = res
        client = Pegasus(args.meta, table, timeout=args.timeout)
        try:
            ok = yield client.init()
            resp = client.table.query_cfg_response
            res["init"] = bool(ok) and resp is not None
            if resp is not None:
                res["app_id"] = resp.app_id
                res["partition_count"] = resp.partition_count
                res["primaries"] = sorted({p.primary.to_host_port()[1] for p in resp.partitions})
            if not res["init"] or args.ops == "init":
                continue
            key = ("k-%s" % table).encode()
            value = ("v-%s-%s" % (table, args.tag)).encode()
            code, _ = yield client.set(key, b"s", value)
            res["set"] = code
            code, got = yield client.get(key, b"s")
            res["get"] = [code, got.decode() if isinstance(got, bytes) else None]
            code, _ = yield client.remove(key, b"s")
            res["remove"] = code
            code, _ = yield client.get(key, b"s")
            res["get_after_remove"] = code
        except Exception as e:  # report, never hang
            res["exception"] = repr(e)
        finally:
            client.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--meta", action="append", required=True)
    p.add_argument("--table", action="append", required=True)
    p.add_argument("--ops", default="setgetremove")
    p.add_argument("--tag", default="x")
    p.add_argument("--timeout", type=int, default=2000)
    args = p.parse_args()
    out = {}

    def done(_):
        print(json.dumps(out), flush=True)
        reactor.stop()

    def failed(f):
        out["_error"] = str(f.value)
        print(json.dumps(out), flush=True)
        reactor.stop()

    reactor.callWhenRunning(lambda: run(args, out).addCallbacks(done, failed))
    reactor.callLater(60, lambda: (out.setdefault("_error", "overall timeout"), print(json.dumps(out), flush=True), reactor.stop()))
    reactor.run()


if __name__ == "__main__":
    sys.exit(main())
