#!/usr/bin/env python3
"""Failover at scale: TABLES protected tables over CLUSTERS simulated clusters, INSTANCES meta-proxy
instances on one ZooKeeper root, DEAD of the tables on the same primary, which is then killed.

Setup (all on loopback):
  * CLUSTERS pegasus-sim processes c00..c09 (METAS MetaServers, REPLICAS ReplicaServers each);
  * tables t0000..t0999: the first DEAD have primary c00 and backup c01..c09 in turn; the others have
    primary c01..c09 and the next of those as backup; every table duplicates primary -> backup (DS_LOG,
    lag 0) in the sims; each cluster numbers its app ids from its own base, so a query_config answer
    says which cluster it came from;
  * every route written with the normal CLI: `meta-proxy route set t --cluster .. --meta .. --backup ..`;
  * the shipped policies/default.yaml with `kind: auto-failover` (probe 2s x fall 3, min_down 10s,
    replica_lease 20s, quorum majority);
  * INSTANCES `meta-proxy serve` on one ZooKeeper root (one elected decider).

Measured:
  1. steady state (STEADY seconds, every cluster up): MetaServer requests/s per cluster and per cluster
     per instance (the sims count them by name), ZooKeeper write transactions/s (the server's zxid, from
     `srvr`), decider tick time (`metaproxy_failover_tick_seconds` on the decider, when exported);
  2. the kill: every MetaServer and ReplicaServer of c00 closed at T0 (`/kill-all`); the time until every
     instance routes every one of the DEAD tables to its backup (each instance's
     `metaproxy_failover_active_backup{table}`, set from the effective route it routes by; polled), ZooKeeper transactions during the switch,
     the decider's tick time meanwhile, and a query_config through every instance for a sample of the
     tables, checking that the answer is the backup's table (its app id).

Prints a summary and writes OUT/failover-scale.json. Needs ZooKeeper (ZK_ADDRESS, else one is started
with scripts/zk.sh) and the debug (or release) binaries:

    python3 Benchmarks/failover-scale.py
    BIN=.build/release OUT=Benchmarks/results/failscale python3 Benchmarks/failover-scale.py
    PROXY_BIN=/other/checkout/.build/debug/meta-proxy ...   # another meta-proxy build, same sims
"""
import concurrent.futures
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.abspath(os.environ.get("BIN", os.path.join(ROOT, ".build", "debug")))
PROXY_BIN = os.environ.get("PROXY_BIN", os.path.join(BIN, "meta-proxy"))
SIM_BIN = os.environ.get("SIM_BIN", os.path.join(BIN, "pegasus-sim"))
CLUSTERS = int(os.environ.get("CLUSTERS", "10"))
TABLES = int(os.environ.get("TABLES", "1000"))
DEAD = int(os.environ.get("DEAD", "500"))
INSTANCES = int(os.environ.get("INSTANCES", "3"))
METAS = int(os.environ.get("METAS", "3"))
REPLICAS = int(os.environ.get("REPLICAS", "2"))
PARTITIONS = int(os.environ.get("PARTITIONS", "4"))
STEADY = float(os.environ.get("STEADY", "30"))
SWITCH_TIMEOUT = float(os.environ.get("SWITCH_TIMEOUT", "240"))
POLL = float(os.environ.get("POLL", "0.25"))
SAMPLE = int(os.environ.get("SAMPLE", "10"))
WORK = tempfile.mkdtemp(prefix="failover-scale.")
OUT = os.environ.get("OUT", WORK)
INTERVAL_S = 2.0  # policies/default.yaml


def log(text):
    sys.stderr.write("== %s %s\n" % (time.strftime("%H:%M:%S"), text))
    sys.stderr.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(addr, path, timeout=10.0):
    with urllib.request.urlopen("http://%s%s" % (addr, path), timeout=timeout) as r:
        return r.read().decode()


def http_json(addr, path, timeout=10.0):
    return json.loads(http(addr, path, timeout))


def zk_zxid(zk):
    """The ZooKeeper server's last zxid (`srvr`): one per write transaction (a multi-op is one)."""
    host, port = zk.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"srvr")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    m = re.search(r"Zxid: 0x([0-9a-f]+)", data.decode())
    return int(m.group(1), 16) & 0xFFFFFFFF if m else None


def cluster_name(i):
    return "c%02d" % i


def layout():
    """table -> (primary index, backup index)."""
    tables = {}
    others = list(range(1, CLUSTERS))
    for i in range(TABLES):
        name = "t%04d" % i
        if i < DEAD:
            tables[name] = (0, others[i % len(others)])
        else:
            k = i % len(others)
            tables[name] = (others[k], others[(k + 1) % len(others)])
    return tables


class Sim:
    def __init__(self, index, tables):
        self.name = cluster_name(index)
        spec = ",".join("%s:%d" % (t, PARTITIONS) for t in sorted(tables))
        self.err = open(os.path.join(WORK, "sim-%s.log" % self.name), "wb")
        self.proc = subprocess.Popen(
            [SIM_BIN, "--cluster", self.name, "--metas", str(METAS), "--replicas", str(REPLICAS),
             "--tables", spec, "--app-id-base", str(1 + index * 10000), "--control-port", "0",
             "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=self.err, text=True)
        info = json.loads(self.proc.stdout.readline())
        self.metas = info["metas"]
        self.control = info["control"]
        self.tables = info["tables"]

    def ctl(self, path):
        return http(self.control, path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Proxy:
    def __init__(self, n, zk, zk_root, policies):
        self.listen = "127.0.0.1:%d" % free_port()
        self.admin = "127.0.0.1:%d" % free_port()
        self.log_path = os.path.join(WORK, "proxy-%d.log" % n)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [PROXY_BIN, "serve", "--zk", zk, "--zk-root", zk_root, "--policies", policies,
             "--listen", self.listen, "--admin-listen", self.admin, "--log-level", "notice"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def ready(self):
        try:
            http(self.admin, "/readyz", timeout=2)
            return True
        except Exception:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_for(predicate, timeout, what, interval=1.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except Exception:
            pass
        time.sleep(interval)
    raise SystemExit("timed out waiting for %s" % what)


def tick_histogram(proxy):
    """(sum seconds, count, {le: cumulative count}) of metaproxy_failover_tick_seconds; None when absent."""
    text = http(proxy.admin, "/metrics")
    total = count = None
    buckets = {}
    for line in text.splitlines():
        if not line.startswith("metaproxy_failover_tick_seconds"):
            continue
        value = float(line.rsplit(" ", 1)[1])
        if line.startswith("metaproxy_failover_tick_seconds_sum"):
            total = value
        elif line.startswith("metaproxy_failover_tick_seconds_count"):
            count = value
        elif line.startswith("metaproxy_failover_tick_seconds_bucket"):
            le = re.search(r'le="([^"]+)"', line).group(1)
            buckets[le] = value
    if count is None:
        return None
    return total, count, buckets


def tick_delta(before, after):
    """Mean, count and bucket bounds (p50, p99, max) of the ticks between two scrapes."""
    if before is None or after is None:
        return None
    count = after[1] - before[1]
    if count <= 0:
        return {"ticks": 0}
    mean = (after[0] - before[0]) / count
    bounds = sorted(((float("inf") if le == "+Inf" else float(le)), after[2][le] - before[2].get(le, 0))
                    for le in after[2])

    def quantile(q):
        for le, c in bounds:
            if c >= q * count:
                return le
        return float("inf")

    highest = next((le for le, c in bounds if c >= count), float("inf"))
    return {"ticks": int(count), "mean_ms": round(mean * 1000, 1), "p50_le_ms": quantile(0.5) * 1000,
            "p99_le_ms": quantile(0.99) * 1000, "max_le_ms": highest * 1000}


def decider_of(proxies):
    for p in proxies:
        try:
            if http_json(p.admin, "/failover", timeout=20)["is_decider"]:
                return p
        except Exception:
            pass
    return None


def on_backup(proxy):
    """The tables the instance routes to a backup now: its `metaproxy_failover_active_backup{table}` gauge,
    set by its failover state store from the effective route it routes by (cheaper to poll than
    `/failover`; `/routes` lists only the tables queried through the instance)."""
    tables = set()
    for line in http(proxy.admin, "/metrics", timeout=20).splitlines():
        if line.startswith("metaproxy_failover_active_backup{") and float(line.rsplit(" ", 1)[1]) == 1:
            m = re.search(r'table="([^"]+)"', line)
            if m:
                tables.add(m.group(1))
    return tables


def query_app_id(proxy, table):
    out = subprocess.run([PROXY_BIN, "query", table, "--meta", proxy.listen, "--json"], capture_output=True, text=True,
                         timeout=30)
    m = re.search(r'"?app_id"?\s*[:=]\s*(\d+)', out.stdout)
    return int(m.group(1)) if m else None


def main():
    procs_started = []
    zk_dir = None
    zk = os.environ.get("ZK_ADDRESS")
    if not zk:
        zk_dir = os.path.join(WORK, "zk")
        zk = subprocess.run([os.path.join(ROOT, "scripts", "zk.sh"), "start", str(free_port()), zk_dir],
                            capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    zk_root = "/failover-scale-%s" % uuid.uuid4().hex[:8]
    tables = layout()
    per_cluster = {i: [] for i in range(CLUSTERS)}
    for t, (p, b) in tables.items():
        per_cluster[p].append(t)
        per_cluster[b].append(t)
    sims, proxies = [], []
    result = {"clusters": CLUSTERS, "tables": TABLES, "dead_primary_tables": DEAD, "instances": INSTANCES,
              "metas_per_cluster": METAS, "replicas_per_cluster": REPLICAS, "partitions": PARTITIONS,
              "proxy_bin": PROXY_BIN, "policy": "policies/default.yaml with kind auto-failover",
              "load_average_start": os.getloadavg()}
    try:
        log("starting %d clusters" % CLUSTERS)
        sims = [Sim(i, per_cluster[i]) for i in range(CLUSTERS)]
        log("duplications primary -> backup for %d tables" % TABLES)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda item: sims[item[1][0]].ctl(
                "/duplication?table=%s&remote=%s&status=DS_LOG&lag=0" % (item[0], cluster_name(item[1][1]))),
                tables.items()))

        log("writing %d routes with `meta-proxy route set` under %s" % (TABLES, zk_root))
        started = time.time()

        def route_set(item):
            table, (p, b) = item
            cmd = [PROXY_BIN, "route", "set", table, "--cluster", cluster_name(p), "--meta", ",".join(sims[p].metas),
                   "--backup", "%s=%s" % (cluster_name(b), ",".join(sims[b].metas)), "--zk", zk, "--zk-root", zk_root]
            for _ in range(5):
                if subprocess.run(cmd, capture_output=True).returncode == 0:
                    return
                time.sleep(1)
            raise SystemExit("route set %s failed" % table)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(route_set, tables.items()))
        result["route_set_seconds"] = round(time.time() - started, 1)

        policies = os.path.join(WORK, "policies")
        os.mkdir(policies)
        with open(os.path.join(ROOT, "policies", "default.yaml")) as f:
            default = f.read()
        assert "kind: manual" in default
        with open(os.path.join(policies, "default.yaml"), "w") as f:
            f.write(default.replace("kind: manual", "kind: auto-failover"))

        log("starting %d instances" % INSTANCES)
        proxies = [Proxy(n, zk, zk_root, policies) for n in range(INSTANCES)]
        wait_for(lambda: all(p.ready() for p in proxies), 600, "instances ready")
        names = [cluster_name(i) for i in range(CLUSTERS)]

        def settled():
            docs = [http_json(p.admin, "/failover", timeout=30) for p in proxies]
            up = all(d["health"]["clusters"].get(c, {}).get("state") == "up" for d in docs for c in names)
            deciders = [d for d in docs if d["is_decider"]]
            if not up or len(deciders) != 1:
                return False
            known = sum(1 for o in deciders[0]["health"]["duplications"]
                        if o.get("max_lag") is not None and tables.get(o["table"], (None,))[0] is not None
                        and o["primary_cluster"] == cluster_name(tables[o["table"]][0]))
            log("settling: every cluster up on every instance; the decider knows %d of %d forward lags" % (known, TABLES))
            return known >= TABLES

        started = time.time()
        wait_for(settled, 600, "instances settled", interval=3)
        result["settle_seconds"] = round(time.time() - started, 1)
        decider = decider_of(proxies)
        log("settled; decider %s; waiting 12 s (lag persisted, last-alive fresh everywhere)" % decider.admin)
        time.sleep(12)

        # 1. Steady state.
        log("steady state: measuring %.0f s" % STEADY)
        for s in sims:
            s.ctl("/reset-stats")
        ticks0, zx0, t0 = tick_histogram(decider), zk_zxid(zk), time.time()
        time.sleep(STEADY)
        stats = {s.name: json.loads(s.ctl("/stats")) for s in sims}
        ticks1, zx1, seconds = tick_histogram(decider), zk_zxid(zk), time.time() - t0
        probe = {}
        for name, st in stats.items():
            by_name = {}
            for meta in st["metas"]:
                for k, v in meta.get("by_name", {}).items():
                    by_name[k] = by_name.get(k, 0) + v
            total = sum(m["requests"] + m["http"] for m in st["metas"])
            dup = sum(v for k, v in by_name.items() if "DUPLICATION" in k.upper())
            probe[name] = {"requests_per_s": round(total / seconds, 1),
                           "requests_per_s_per_instance": round(total / seconds / INSTANCES, 1),
                           "duplication_queries_per_s": round(dup / seconds, 1),
                           "by_name_per_s": {k: round(v / seconds, 2) for k, v in sorted(by_name.items())}}
        result["steady"] = {
            "seconds": round(seconds, 1),
            "zookeeper_transactions_per_s": round((zx1 - zx0) / seconds, 1) if zx0 is not None else None,
            "decider_tick": tick_delta(ticks0, ticks1),
            "probe_load": probe,
            "load_average": os.getloadavg(),
        }
        log("steady: %s" % json.dumps({k: v for k, v in result["steady"].items() if k != "probe_load"}))

        # 2. Kill every MetaServer and ReplicaServer of c00.
        dead = sorted(t for t, (p, _) in tables.items() if p == 0)
        ticks2, zx2 = tick_histogram(decider), zk_zxid(zk)
        zx_timeline = []
        log("killing %s (primary of %d tables)" % (sims[0].name, len(dead)))
        t_kill = time.time()
        sims[0].ctl("/kill-all")
        first_seen = [dict() for _ in proxies]
        done_at = [None] * len(proxies)
        while time.time() - t_kill < SWITCH_TIMEOUT and None in done_at:
            for n, p in enumerate(proxies):
                if done_at[n] is not None:
                    continue
                try:
                    moved = on_backup(p)
                except Exception:
                    continue
                now = time.time() - t_kill
                for t in dead:
                    if t not in first_seen[n] and t in moved:
                        first_seen[n][t] = now
                if len(first_seen[n]) == len(dead):
                    done_at[n] = max(first_seen[n].values())
            zx_timeline.append((round(time.time() - t_kill, 2), zk_zxid(zk)))
            time.sleep(POLL)
        incomplete = None in done_at
        refusals = {}
        if incomplete:
            log("not every instance routed every table to its backup within %.0f s: %s" % (
                SWITCH_TIMEOUT, [len(f) for f in first_seen]))
            try:
                for route in http_json(decider.admin, "/failover", timeout=30).get("refusals", []):
                    code = route.get("reason", {}).get("code")
                    refusals.setdefault(code, {"tables": 0, "example": route.get("reason", {}).get("text")})
                    refusals[code]["tables"] += 1
            except Exception as e:
                refusals = {"error": str(e)}
        ticks3, zx3 = tick_histogram(decider), zk_zxid(zk)
        firsts = [min(f.values()) if f else SWITCH_TIMEOUT for f in first_seen]
        done_at = [d if d is not None else SWITCH_TIMEOUT for d in done_at]
        # ZooKeeper transactions while the switches were written: from just before the first table moved
        # anywhere to the moment the last one moved everywhere.
        first_any, last_all = min(firsts), max(done_at)
        window = [(t, z) for t, z in zx_timeline if first_any - 1.0 <= t <= last_all + POLL]
        reason = None
        try:
            for route in http_json(decider.admin, "/failover", timeout=30)["effective_routes"]:
                if route["table"] == dead[0]:
                    reason = route["history"][-1]["reason"]
        except Exception:
            pass
        sample = [dead[i * len(dead) // SAMPLE] for i in range(SAMPLE)]
        checked = []
        for p in proxies:
            for t in sample:
                got = query_app_id(p, t)
                expected = sims[tables[t][1]].tables[t]["app_id"]
                checked.append(got == expected)
        result["switch"] = {
            "tables": len(dead),
            "complete": not incomplete,
            "switched_per_instance": [len(f) for f in first_seen],
            "refusals": refusals,
            "seconds_first_table_any_instance": round(first_any, 2),
            "seconds_all_tables_per_instance": [round(d, 2) for d in done_at],
            "seconds_all_tables_all_instances": round(last_all, 2),
            "spread_first_to_last_seconds": round(last_all - first_any, 2),
            "zookeeper_transactions_during_switch": (window[-1][1] - window[0][1]) if len(window) > 1 else None,
            "zookeeper_transactions_kill_to_done": zx3 - zx2 if zx2 is not None else None,
            "decider_tick_kill_to_done": tick_delta(ticks2, ticks3),
            "query_config_sample_on_backup": "%d of %d" % (sum(checked), len(checked)),
            "decision_reason": reason,
            "load_average": os.getloadavg(),
        }
        log("switch: %s" % json.dumps(result["switch"]))
    finally:
        for p in proxies:
            p.stop()
        for s in sims:
            s.stop()
        if zk_dir:
            subprocess.run([os.path.join(ROOT, "scripts", "zk.sh"), "stop", zk_dir], capture_output=True)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "failover-scale.json"), "w") as f:
        json.dump(result, f, indent=2)
    summarize(result)
    print("written %s" % os.path.join(OUT, "failover-scale.json"))


def summarize(r):
    s, w = r["steady"], r["switch"]
    print("failover scale: %d tables over %d clusters, %d instances, %d tables on the killed primary" % (
        r["tables"], r["clusters"], r["instances"], r["dead_primary_tables"]))
    print("steady: ZooKeeper %s write transactions/s; decider tick %s" % (
        s["zookeeper_transactions_per_s"], s["decider_tick"]))
    for name, p in sorted(s["probe_load"].items()):
        print("  %s %7.1f req/s  %6.1f per instance  %6.1f per interval per instance  (duplication queries %5.1f/s)" % (
            name, p["requests_per_s"], p["requests_per_s_per_instance"],
            p["requests_per_s_per_instance"] * INTERVAL_S, p["duplication_queries_per_s"]))
    print("switch: first table moved at %.1f s; all %d tables on their backups on every instance at %.1f s "
          "(per instance %s); ZooKeeper transactions while switching %s; decider tick %s; query_config sample %s" % (
              w["seconds_first_table_any_instance"], w["tables"], w["seconds_all_tables_all_instances"],
              w["seconds_all_tables_per_instance"], w["zookeeper_transactions_during_switch"],
              w["decider_tick_kill_to_done"], w["query_config_sample_on_backup"]))
    print("reason: %s" % (w["decision_reason"] and w["decision_reason"].get("text")))


if __name__ == "__main__":
    main()
