"""The shipped monitoring: Prometheus alert rules (deploy/prometheus) checked and unit-tested with
promtool (Debian package `prometheus`, installed by scripts/install-deps.sh), the Grafana dashboard
(deploy/grafana) parsed with every query checked by promtool too, and every metric either uses
named in docs/metrics.md, so a renamed or undocumented metric fails here."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

RULES = os.path.join(ROOT, "deploy", "prometheus", "meta-proxy-rules.yml")
RULE_TESTS = os.path.join(ROOT, "deploy", "prometheus", "meta-proxy-rules.test.yml")
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "meta-proxy.json")
METRICS_DOC = os.path.join(ROOT, "docs", "metrics.md")

# Series Prometheus makes itself.
PROMETHEUS_OWN = {"up"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def promtool():
    path = shutil.which("promtool")
    assert path, "promtool not installed (scripts/install-deps.sh installs Debian's prometheus package)"
    return path


def run(*args, cwd=None):
    r = subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def rule_exprs():
    import yaml
    with open(RULES) as f:
        doc = yaml.safe_load(f)
    return {r["alert"]: r["expr"] for g in doc["groups"] for r in g["rules"]}


def dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def dashboard_exprs():
    d = dashboard()
    exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
    exprs += [a["expr"] for a in d["annotations"]["list"] if "expr" in a]
    return exprs


def metric_names(expr):
    """Metric names in a PromQL expression: label names never start with these prefixes."""
    names = set(re.findall(r"\b((?:metaproxy_|client_|zk_request)[a-zA-Z0-9_:]*)", expr))
    if re.search(r"\bup\{", expr):
        names.add("up")
    return names


def documented_metrics():
    with open(METRICS_DOC) as f:
        return set(re.findall(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", f.read()))


def base_name(name, documented):
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in documented:
            return name[: -len(suffix)]
    return name


def test_rules_pass_promtool_check():
    out = run("check", "rules", RULES)
    assert "SUCCESS" in out


def test_rule_unit_tests_pass():
    out = run("test", "rules", os.path.basename(RULE_TESTS), cwd=os.path.dirname(RULE_TESTS))
    assert "SUCCESS" in out


def test_every_required_alert_exists_and_is_unit_tested():
    alerts = rule_exprs()
    required = {"MetaProxyInstanceDown", "MetaProxyZooKeeperSessionLost", "MetaProxyNoDecider",
                "MetaProxyFailoverHappened", "MetaProxyGuardRefusing", "MetaProxyClusterDown",
                "MetaProxyQuorumLost", "MetaProxyReloadFailed"}
    assert required <= alerts.keys(), required - alerts.keys()
    with open(RULE_TESTS) as f:
        tested = set(re.findall(r"alertname: (\w+)", f.read()))
    assert required <= tested, required - tested


def test_dashboard_queries_are_valid_promql(tmp_path):
    """Every dashboard query, with Grafana's variables filled in, checked by promtool as a recording rule."""
    import yaml
    exprs = dashboard_exprs()
    assert len(exprs) >= 20
    fill = {"$__rate_interval": "5m", "$__range": "1h", "$job": ".*", "$instance": ".*"}
    rules = []
    for i, e in enumerate(exprs):
        for k, v in fill.items():
            e = e.replace(k, v)
        assert "$" not in e, e
        rules.append({"record": "dashboard:query_%d" % i, "expr": e})
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    out = run("check", "rules", str(path))
    assert "SUCCESS: %d rules found" % len(rules) in out, out


def test_dashboard_is_self_contained():
    d = dashboard()
    assert d["uid"] == "meta-proxy" and d["title"] == "meta-proxy"
    names = [v["name"] for v in d["templating"]["list"]]
    assert names == ["datasource", "job", "instance"]
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids))
    for p in d["panels"]:
        if p["type"] != "row":
            assert p["datasource"]["uid"] == "${datasource}", p["title"]
            assert p["targets"], p["title"]


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_metric_used_is_documented(source):
    documented = documented_metrics()
    exprs = list(rule_exprs().values()) if source == "rules" else dashboard_exprs()
    used = set()
    for e in exprs:
        used |= {base_name(n, documented) for n in metric_names(e)}
    assert used, "no metric names found"
    undocumented = used - documented - PROMETHEUS_OWN
    assert not undocumented, "used by the %s but not in docs/metrics.md: %s" % (source, sorted(undocumented))

