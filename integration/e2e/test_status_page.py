"""GET /status, the admin port's HTML status page, fetched from a real meta-proxy process while a
real failover happens: clusters up/down with their transitions, the table on a backup, the
decision in the timeline; server-rendered, no external assets, every value HTML-escaped."""
import os
import re
import urllib.request
from html.parser import HTMLParser

from conftest import meta_proxy, wait_for
from failover_status import cluster_state, decider_of, lag_observed, wait_active

# A policy name is free text from a file: the page must show it as text, never as markup.
POLICY = """name: 't1 <fast> & "quick"'
tables: ["t1"]
kind: auto-failover
probe:    { interval: 300ms, timeout: 150ms, fall: 2, rise: 2 }
switch:   { min_down: 1s, cooldown: 30s }
guard:    { max_lag_decrees: 1000, max_lag_age: 30s }
"""
VOID = {"meta", "br", "link", "img", "hr", "input"}


class Structure(HTMLParser):
    """Collects what a browser would load from elsewhere, and checks that elements nest."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.external = [], [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action") and value and not value.startswith("/"):
                self.external.append((tag, name, value))
        if tag in ("script", "link", "img", "iframe", "object"):
            self.external.append((tag,))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()


def page(proxy):
    with urllib.request.urlopen("http://%s/status" % proxy.admin, timeout=5) as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        return r.read().decode()


def check_structure(html):
    s = Structure()
    s.feed(html)
    s.close()
    assert not s.errors, s.errors
    assert s.stack == [], s.stack
    assert not s.external, s.external


def section(html, title):
    start = html.index("<h2>%s</h2>" % title)
    end = html.find("<h2>", start + 1)
    return html[start:end if end > 0 else len(html)]


def test_status_page_through_a_failover(sims, proxies, zk, zk_root, tmp_path):
    a = sims("clusterA", "t1:4")
    b = sims("clusterB", "t1:4", extra=["--app-id-base", "100"])
    meta_proxy("route", "set", "t1", "--cluster", "clusterA", "--meta", ",".join(a.metas),
               "--backup", "clusterB=" + ",".join(b.metas), "--zk", zk, "--zk-root", zk_root)
    a.ctl("/duplication?table=t1&remote=clusterB&status=DS_LOG&lag=5")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "t1.yaml").write_text(POLICY)
    p = proxies("--zk", zk, "--zk-root", zk_root, "--policies", str(policies))
    wait_for(lambda: cluster_state(p, "clusterA") == "up" and cluster_state(p, "clusterB") == "up"
             and lag_observed(p) is not None and decider_of([p]), timeout=30, what="warm prober, decider")

    before = page(p)
    check_structure(before)
    assert "<h1>meta-proxy <code>" in before and ">decider<" in before
    clusters = section(before, "Clusters")
    assert re.search(r"<td>clusterA</td><td><span class=\"up\">UP</span>", clusters), clusters
    assert re.search(r"<td>clusterB</td><td><span class=\"up\">UP</span>", clusters), clusters
    assert "every table is on its primary" in section(before, "Tables on a backup")
    assert "No failover decision recorded" in section(before, "Recent decisions")
    # The fleet: this instance's record, as the decider, under the root.
    fleet = wait_for(lambda: (lambda h: section(h, "Instances") if ">decider<" in section(h, "Instances") else None)(page(p)),
                     timeout=15, what="this instance in the Instances section")
    assert zk_root in fleet and "stale" not in fleet, fleet
    policies_html = section(before, "Policies")
    assert "t1 &lt;fast&gt; &amp; &quot;quick&quot;" in policies_html, policies_html
    assert "<fast>" not in before

    a.ctl("/kill-all")
    wait_active(p, "clusterB", timeout=30, what="t1 on clusterB")
    after = wait_for(lambda: (lambda h: h if "DOWN" in section(h, "Clusters") else None)(page(p)),
                     timeout=15, what="clusterA DOWN on the page")
    check_structure(after)
    clusters = section(after, "Clusters")
    assert re.search(r"<td>clusterA</td><td><span class=\"down\">DOWN</span>", clusters), clusters
    # Its record says it sees clusterA down.
    assert wait_for(lambda: "clusterA" in section(page(p), "Instances"), timeout=15, what="clusterA down in the fleet")
    assert "up → <b>down</b>" in clusters, clusters  # clusterA's history
    on_backup = section(after, "Tables on a backup")
    assert re.search(r"<td>t1</td><td class=\"warn\">clusterB</td><td>failover</td>", on_backup), on_backup
    assert "effective_down" in on_backup
    timeline = section(after, "Recent decisions")
    entry = re.search(r"<li><time>[0-9T:.Z-]+</time> <b>t1</b>: clusterA → <b>clusterB</b> "
                      r"<span class=\"tag\">automatic</span>.*?effective_down: primary clusterA down", timeline, re.S)
    assert entry, timeline
