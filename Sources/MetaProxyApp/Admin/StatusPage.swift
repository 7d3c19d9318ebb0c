import FailoverControl
import FailoverPolicy
import HealthProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The admin port's human-readable status page (`GET /status`): one server-rendered HTML document
/// with no external assets (no scripts, fonts or style sheets from elsewhere). It shows this
/// instance, the clusters it probes (up or down, since when, their recent transitions), the tables
/// on a backup, and the recent failover decisions and current refusals as one timeline, newest first.
/// Every value is HTML-escaped (``HTMLText``). The page reloads itself every 5 s.
struct StatusPage {
    /// What the page shows, read from the instance at request time.
    struct Input {
        /// This instance (``FailoverDecider/Settings/instanceID``).
        var instance: String
        /// Whether it is the failover decider.
        var isDecider: Bool
        /// Where the failover state lives, and whether it is reachable or paused.
        var store: FailoverStoreStatus
        /// The loaded policies.
        var policies: [PolicyStore.Summary]
        /// This instance's prober.
        var health: HealthSnapshot
        /// Every effective-route document this instance knows.
        var effectiveRoutes: [EffectiveRoute]
        /// Switches the decider wanted and the guard refused, now.
        var refusals: [FailoverRefusal]
        /// Every instance registered under the root and the peer roots (ZooKeeper only), as last read.
        var fleet: FleetView? = nil
        /// When the page is rendered.
        var now: Date
    }

    /// Entries of the timeline at most.
    static let timelineLimit = 50
    /// Transitions shown per cluster at most.
    static let transitionsPerCluster = 8

    let input: Input

    /// The HTML document.
    func render() -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="refresh" content="5">
            <title>meta-proxy \(e(input.instance))</title>
            <style>\(Self.style)</style>
            </head><body>

            """
        html += header()
        html += instances()
        html += clusters()
        html += onBackup()
        html += timeline()
        html += policies()
        html += "<footer>Rendered \(e(Self.time(input.now))). JSON: <a href=\"/failover\">/failover</a>, "
        html += "<a href=\"/routes\">/routes</a>, <a href=\"/metrics\">/metrics</a>.</footer>\n</body></html>\n"
        return html
    }

    private func header() -> String {
        let role = input.isDecider ? "<span class=\"up\">decider</span>" : "not the decider"
        var store = e(input.store.source)
        if !input.store.reachable {
            store += " <span class=\"down\">unreachable</span>"
            if let since = input.store.unreachableSince { store += " since \(e(ago(since)))" }
        }
        if input.store.globallyPaused { store += " <span class=\"warn\">failover paused globally</span>" }
        return "<h1>meta-proxy <code>\(e(input.instance))</code></h1>\n<p>\(role) · failover state: \(store)</p>\n"
    }

    /// The fleet: one row per registered instance (what `meta-proxy status` prints).
    private func instances() -> String {
        guard let fleet = input.fleet else { return "" }
        var html = "<h2>Instances</h2>\n"
        guard !fleet.members.isEmpty else { return html + "<p class=\"none\">No instance registered yet.</p>\n" }
        html += "<table><tr><th>instance</th><th>root</th><th>host</th><th>admin</th><th>version</th>"
        html += "<th>role</th><th>record age</th><th>clusters seen down</th></tr>\n"
        for member in fleet.members {
            let record = member.record
            let down = record.clusters.filter { $0.value.state == .down }.keys.sorted()
            let role = record.decider ? "<span class=\"up\">decider</span>" : "observer"
            let age = member.live ? "\(member.ageMs) ms" : "<span class=\"down\">stale (\(member.ageMs) ms)</span>"
            html += "<tr><td>\(e(record.instance))</td><td>\(e(member.root))</td><td>\(e(record.host))</td>"
            html += "<td>\(e(record.admin ?? "–"))</td><td>\(e(record.version))</td><td>\(role)</td><td>\(age)</td>"
            html += "<td>\(down.isEmpty ? "–" : "<span class=\"down\">\(down.map(e).joined(separator: ", "))</span>")</td></tr>\n"
        }
        for (path, error) in fleet.errors.sorted(by: { $0.key < $1.key }) {
            html += "<tr><td colspan=\"8\" class=\"down\">\(e(path)): \(e(error))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private func clusters() -> String {
        var html = "<h2>Clusters</h2>\n"
        let names = input.health.clusters.keys.sorted()
        guard !names.isEmpty else { return html + "<p class=\"none\">No cluster probed yet.</p>\n" }
        html += "<table><tr><th>cluster</th><th>state</th><th>since</th><th>leader</th><th>last probe</th><th>history (newest first)</th></tr>\n"
        for name in names {
            guard let cluster = input.health.clusters[name] else { continue }
            let since = cluster.since.map { "\(Self.time($0)) (\(ago($0)))" } ?? "–"
            var verdict = "–"
            if let last = cluster.lastVerdict {
                verdict = last.healthy ? "healthy" : last.reason.rawValue + (last.detail.map { ": \($0)" } ?? "")
            }
            let transitions = cluster.history.transitions.suffix(Self.transitionsPerCluster).reversed()
                .map { "\(e(Self.time($0.at))) \(e($0.from.rawValue)) → <b>\(e($0.to.rawValue))</b>" }
            html += "<tr><td>\(e(name))</td><td>\(state(cluster.state))</td><td>\(e(since))</td>"
            html += "<td>\(e(cluster.leader ?? "–"))</td><td class=\"detail\">\(e(verdict))</td>"
            html += "<td>\(transitions.isEmpty ? "–" : transitions.joined(separator: "<br>"))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private func onBackup() -> String {
        var html = "<h2>Tables on a backup</h2>\n"
        let switched = input.effectiveRoutes.filter { $0.mode != .primary }.sorted { $0.table < $1.table }
        guard !switched.isEmpty else { return html + "<p class=\"none\">None: every table is on its primary.</p>\n" }
        html += "<table><tr><th>table</th><th>served by</th><th>mode</th><th>since</th><th>by</th><th>reason</th></tr>\n"
        for route in switched {
            html += "<tr><td>\(e(route.table))</td><td class=\"warn\">\(e(route.activeCluster))</td>"
            html += "<td>\(e(route.mode.rawValue))\(route.paused ? " (paused)" : "")</td>"
            html += "<td>\(e(Self.time(route.since))) (\(e(ago(route.since))))</td><td>\(e(route.decidedBy))</td>"
            html += "<td class=\"detail\">\(e(route.reason.description))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// One timeline entry: a recorded decision or a current refusal.
    private struct Entry {
        var at: Date
        var html: String
    }

    private func timeline() -> String {
        var entries: [Entry] = []
        for route in input.effectiveRoutes {
            for record in route.history {
                let lag = record.lagDecrees.map { " · lag \($0)" } ?? ""
                entries.append(
                    Entry(
                        at: record.at,
                        html: "<b>\(e(record.table))</b>: \(e(record.from)) → <b>\(e(record.to))</b> "
                            + "<span class=\"tag\">\(e(record.trigger.rawValue))</span> by \(e(record.decidedBy))\(e(lag))"
                            + "<div class=\"detail\">\(e(record.reason.description))</div>"))
            }
        }
        for refusal in input.refusals {
            entries.append(
                Entry(
                    at: refusal.at,
                    html: "<b>\(e(refusal.table))</b>: switch away from \(e(refusal.cluster)) "
                        + "<span class=\"tag down\">refused</span> (policy \(e(refusal.policy)), since \(e(Self.time(refusal.since))))"
                        + "<div class=\"detail\">\(e(refusal.reason.description))</div>"))
        }
        var html = "<h2>Recent decisions</h2>\n"
        guard !entries.isEmpty else { return html + "<p class=\"none\">No failover decision recorded.</p>\n" }
        html += "<ol class=\"timeline\">\n"
        for entry in entries.sorted(by: { $0.at > $1.at }).prefix(Self.timelineLimit) {
            html += "<li><time>\(e(Self.time(entry.at)))</time> \(entry.html)</li>\n"
        }
        return html + "</ol>\n"
    }

    private func policies() -> String {
        var html = "<h2>Policies</h2>\n"
        guard !input.policies.isEmpty else { return html + "<p class=\"none\">None loaded: every table is manual.</p>\n" }
        html += "<table><tr><th>policy</th><th>kind</th><th>tables</th><th>file</th></tr>\n"
        for policy in input.policies {
            html += "<tr><td>\(e(policy.name))</td><td>\(e(policy.kind))</td>"
            html += "<td>\(e(policy.tables.joined(separator: ", ")))</td><td>\(e(policy.file))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private func state(_ status: HealthStatus) -> String {
        switch status {
        case .up: "<span class=\"up\">UP</span>"
        case .down: "<span class=\"down\">DOWN</span>"
        case .unknown: "<span class=\"warn\">unknown</span>"
        }
    }

    private func e(_ s: String) -> String { HTMLText.escape(s) }

    /// How long before ``Input/now``, in whole seconds, minutes or hours.
    private func ago(_ date: Date) -> String {
        let seconds = max(0, Int(input.now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds)s ago" }
        if seconds < 7200 { return "\(seconds / 60)m ago" }
        return "\(seconds / 3600)h ago"
    }

    /// ISO 8601 UTC with milliseconds.
    static func time(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    private static let style = """
        body{font-family:sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}\
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
        .up{color:#060;font-weight:bold}.down{color:#b00;font-weight:bold}.warn{color:#a60;font-weight:bold}\
        .detail{color:#555;font-size:.9em}.none{color:#777}.tag{border:1px solid #999;border-radius:3px;padding:0 .3em;font-size:.85em}\
        ol.timeline{list-style:none;padding-left:0}ol.timeline li{border-left:3px solid #888;padding:.2em .6em;margin:.3em 0}\
        time{font-family:monospace;color:#444}footer{margin-top:2em;color:#777;font-size:.85em}
        """
}
