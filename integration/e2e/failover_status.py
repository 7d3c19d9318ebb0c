"""Readers of an instance's failover state (`GET /failover` on its admin port, `/metrics`), shared by
integration/e2e/test_failover.py and the fault runner (integration/faults)."""
import json
import re
import time
import urllib.error
import urllib.request


def status(proxy):
    """The instance's `GET /failover` document."""
    try:
        with urllib.request.urlopen("http://%s/failover" % proxy.admin, timeout=5) as r:
            code, body = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        code, body = e.code, e.read().decode()
    assert code == 200, body
    return json.loads(body)


def active(proxy, table="t1"):
    """The cluster the instance routes `table` to by its failover state (None: primary, no document)."""
    for route in status(proxy)["effective_routes"]:
        if route["table"] == table:
            return route["active_cluster"]
    return None


def history(proxy, table="t1"):
    for route in status(proxy)["effective_routes"]:
        if route["table"] == table:
            return route["history"]
    return []


def cluster_state(proxy, cluster):
    return status(proxy)["health"]["clusters"].get(cluster, {}).get("state")


def lag_observed(proxy):
    for d in status(proxy)["health"]["duplications"]:
        if d["primary_cluster"] == "clusterA" and d["backup_cluster"] == "clusterB":
            return d.get("max_lag")
    return None


def decider_of(instances):
    """The one instance that decides, or None (none or several)."""
    deciders = [p for p in instances if status(p)["is_decider"]]
    return deciders[0] if len(deciders) == 1 else None


def decisions(proxy, kind, table="t1"):
    """metaproxy_failover_decisions_total of `table` for `kind` (switch, switch_back, refuse, ...).
    Every table with backups has its series at 0 from the start, so the table must be named."""
    total = 0
    for labels, value in re.findall(r'^metaproxy_failover_decisions_total\{([^}]*)\} ([0-9.e+]+)$', proxy.metrics(), re.M):
        if 'kind="%s"' % kind in labels and 'table="%s"' % table in labels:
            total += int(float(value))
    return total


def explain(proxy, table="t1", log_lines=25):
    """A short account of why `table` is where it is, for assertion messages: the instance's role,
    each cluster's state, the table's effective route and refusal, then the failover and health
    lines of its log (decisions, refusals, state changes), newest last."""
    try:
        st = status(proxy)
    except Exception as e:  # the instance may be gone: say so instead of hiding the first failure
        return "no /failover from %s: %r" % (proxy.admin, e)
    clusters = {name: (c.get("state"), c.get("since"), c.get("leader"))
                for name, c in st["health"]["clusters"].items()}
    route = [r for r in st["effective_routes"] if r["table"] == table]
    refusal = [r for r in st.get("refusals", []) if r.get("table") == table]
    lines = []
    try:
        with open(proxy.log_path, errors="replace") as f:
            lines = [line.rstrip() for line in f
                     if re.search(r"(?i)fail|switch|refus|decid|state|down|up\b|stale|lag", line)]
    except OSError:
        pass
    return "decider=%s clusters=%s route=%s refusal=%s\nlog:\n%s" % (
        st.get("is_decider"), clusters, route, refusal, "\n".join(lines[-log_lines:]))


def wait_active(proxy, cluster, timeout=30.0, what=None, table="t1"):
    """Waits until the instance routes `table` to `cluster` by its failover state; on timeout the
    assertion carries `explain(proxy)` (role, cluster states, refusal, failover log lines)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = active(proxy, table)
            if last == cluster:
                return
        except Exception as e:  # keep polling: the admin port may be briefly busy
            last = e
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s (active: %r)\n%s" % (
        what or "%s on %s" % (table, cluster), last, explain(proxy, table)))
