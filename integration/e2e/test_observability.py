"""Metrics and logs of a running instance: every metric has a # HELP line and is documented in
docs/metrics.md (and every documented metric is exported), latency buckets below a millisecond,
label values without spaces, decision counters at 0 before any decision, the ZooKeeper session
metrics; JSON log lines (log.format: json) with millisecond timestamps and a failover decision at
notice; text lines whose metadata values are quoted so that they parse."""
import json
import os
import re

import wire
from conftest import ROOT, free_port, meta_proxy, wait_for
from failover_status import active, cluster_state, decider_of, lag_observed

POLICY = """name: t1-policy
tables: ["t1"]
kind: auto-failover
probe:    { interval: 300ms, timeout: 150ms, fall: 2, rise: 2 }
switch:   { min_down: 1s, cooldown: 30s }
guard:    { max_lag_decrees: 1000, max_lag_age: 30s }
"""

# Documented metrics a healthy instance exports only after a rarer event than this test causes,
# each with the event. Keep it short: everything else must show up below.
EVENT_ONLY = {
    "metaproxy_failover_state_write_errors_total": "a failed write of failover state",
    "metaproxy_replica_probe_total": "a Pegasus 2.4/2.5 cluster (lag from the ReplicaServers)",
    "metaproxy_coalesced_requests_total": "identical queries in flight at once",
    "metaproxy_reused_replies_total": "identical queries within meta.coalesce_window",
    "metaproxy_upstream_forwards_total": "a follower MetaServer answering ERR_FORWARD_TO_OTHERS",
    "metaproxy_failover_hook_calls_total": "a decision with failover.hooks configured",
    "metaproxy_failover_hook_dropped_total": "more hook events than failover.hooks.queue",
    "metaproxy_failover_refusals_total": "a refused automatic switch",
    "metaproxy_routes_file_reload_failures_total": "a routes-file route source (this test uses ZooKeeper)",
    "metaproxy_failover_fenced_writes_total": "a decider write after its election node was gone",
    "metaproxy_failover_state_unreadable_total": "an unreadable effective-route node",
    "metaproxy_failover_state_unreadable": "an unreadable effective-route node",
}

ROW = re.compile(r"^\|\s*`([a-z_][a-z0-9_]*)`\s*\|\s*(counter|gauge|histogram)\s*\|")


def documented_metrics():
    """{name: type} of every row of docs/metrics.md whose first cell is a metric name in backquotes
    and whose second is its type."""
    with open(os.path.join(ROOT, "docs", "metrics.md")) as f:
        return {m.group(1): m.group(2) for m in map(ROW.match, f) if m}


def families(text):
    """{name: {"type", "help", "samples": [(labels dict, value)]}} of a Prometheus text scrape."""
    out = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            out.setdefault(name, {"samples": []})["help"] = help_text
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            out.setdefault(name, {"samples": []})["type"] = kind
        elif line and not line.startswith("#"):
            m = re.match(r"^([a-z_:][a-z0-9_:]*)(\{(.*)\})? (\S+)$", line)
            assert m, line
            name = re.sub(r"_(bucket|sum|count)$", "", m.group(1)) if m.group(1) not in out else m.group(1)
            labels = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
            out.setdefault(name, {"samples": []})["samples"].append((labels, m.group(4)))
    return out


def json_lines(path):
    with open(path, errors="replace") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_metrics_match_the_doc_have_help_and_fine_buckets_and_json_logs(sims, proxies, zk, zk_root, tmp_path):
    a = sims("obsA", "t1:4")
    b = sims("obsB", "t1:4", extra=["--app-id-base", "100"])
    zkargs = ["--zk", zk, "--zk-root", zk_root]
    meta_proxy("route", "set", "t1", "--cluster", "obsA", "--meta", ",".join(a.metas),
               "--backup", "obsB=" + ",".join(b.metas), *zkargs)
    meta_proxy("route", "set", "dead", "--cluster", "gone", "--meta", "127.0.0.1:%d" % free_port(), *zkargs)
    a.ctl("/duplication?table=t1&remote=obsB&status=DS_LOG&lag=5")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "t1.yaml").write_text(POLICY)
    p = proxies(*zkargs, "--policies", str(policies), "--log-format", "json")

    # Before any decision: the decision counters are there at 0, the session is connected.
    wait_for(lambda: cluster_state(p, "obsA") == "up" and cluster_state(p, "obsB") == "up"
             and lag_observed_for(p), timeout=30, what="warm prober")
    wait_for(lambda: decider_of([p]), timeout=30, what="the decider")
    before = families(p.metrics())
    decisions = {s[0]["kind"]: s[1] for s in before["metaproxy_failover_decisions_total"]["samples"]
                 if s[0].get("table") == "t1"}
    assert {k: float(v) for k, v in decisions.items()} == {"switch": 0, "switch_back": 0, "refuse": 0}, decisions
    states = {s[0]["state"]: s[1] for s in before["metaproxy_zookeeper_session_state"]["samples"]}
    assert float(states["connected"]) == 1 and sum(float(v) for v in states.values()) == 1, states
    assert float(before["metaproxy_zookeeper_session_expirations_total"]["samples"][0][1]) == 0

    # Traffic: relayed queries, an unknown table, a table whose cluster is down; then a failover.
    for _ in range(5):
        assert wire.query(p.addr, "t1")[3]["app_id"] == a.tables["t1"]["app_id"]
    wire.query(p.addr, "no-such-table")
    wire.query(p.addr, "dead")
    a.ctl("/kill-all")
    wait_for(lambda: active(p, "t1") == "obsB", timeout=30, what="t1 switched to obsB")
    assert wire.query(p.addr, "t1")[3]["app_id"] == b.tables["t1"]["app_id"]

    scraped = families(p.metrics())
    documented = documented_metrics()
    undocumented = sorted(set(scraped) - set(documented))
    assert not undocumented, "exported but not in docs/metrics.md: %s" % undocumented
    missing = sorted(set(documented) - set(scraped) - set(EVENT_ONLY))
    assert not missing, "documented but not exported after traffic and a failover: %s" % missing
    for name, family in scraped.items():
        assert family.get("help"), "no # HELP line for %s" % name
        assert family.get("type") == documented[name], (name, family.get("type"), documented[name])
        for labels, _ in family["samples"]:
            spaced = {k: v for k, v in labels.items() if " " in v}
            assert not spaced, (name, spaced)
    buckets = [float(l["le"]) for l, _ in scraped["metaproxy_request_duration_seconds"]["samples"] if "le" in l]
    assert min(buckets) <= 0.00005 and 0.001 in buckets and 5.0 in buckets, buckets
    codes = {l["code"] for l, _ in scraped["metaproxy_upstream_errors_total"]["samples"]}
    assert "connect_failed" in codes, codes
    assert [float(s[1]) for s in scraped["metaproxy_failover_decisions_total"]["samples"]
            if s[0] == {"table": "t1", "kind": "switch"}] == [1]

    # Every line JSON; timestamps RFC 3339 with milliseconds; the switch at notice with its reason.
    lines = json_lines(p.log_path)
    assert lines
    for line in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["timestamp"]), line
        assert {"level", "label", "source", "message"} <= set(line), line
    switched = [l for l in lines if l["message"] == "Failover: switched to a backup"]
    assert len(switched) == 1, [l["message"] for l in lines]
    assert switched[0]["level"] == "notice" and switched[0]["failover.to"] == "obsB"
    assert " " in switched[0]["failover.reason"] and switched[0]["metaproxy.table"] == "t1"


def lag_observed_for(p):
    from failover_status import status
    return any(d["primary_cluster"] == "obsA" for d in status(p)["health"]["duplications"])


PAIR = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|[^\s"=\\]+)')
TEXT_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\w+) (\S+) :(.*?) \[(\w+)\] (.*)$")


def test_text_log_lines_have_milliseconds_and_quoted_values_that_parse(proxies, tmp_path):
    routes = tmp_path / "routes.yaml"
    routes.write_text('tables:\n  t1: { cluster: c, meta_addrs: ["127.0.0.1:%d"] }\n' % free_port())
    p = proxies("--routes", str(routes), "--policies", str(tmp_path / "none"))
    wire.query(p.addr, "t1")
    p.stop()
    with open(p.log_path, errors="replace") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    assert lines
    seen_quoted = False
    for line in lines:
        m = TEXT_LINE.match(line)
        assert m, line
        metadata = m.group(4).strip()
        pairs = PAIR.findall(metadata)
        assert " ".join("%s=%s" % kv for kv in pairs) == metadata, line  # the pairs are the whole metadata
        seen_quoted |= any(v.startswith('"') for _, v in pairs)
    starting = next(l for l in lines if "Starting meta-proxy" in l)
    assert 'config.failover.state_file="(memory only)"' in starting, starting
    assert seen_quoted
