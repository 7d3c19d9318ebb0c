import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import Testing

@testable import MetaProxyApp

/// The admin status page's HTML (``StatusPage``) and the fleet view's table logic (``FleetStatus``),
/// rendered from hand-built inputs. The page served by a real process: integration/e2e/test_status_page.py.
@Suite("StatusPage")
struct StatusPageTests {
    static let hostile = "<script>alert('x')</script>&\""

    @Test("escapes the five HTML metacharacters and leaves other text alone")
    func escaping() {
        #expect(HTMLText.escape("<a href='x'>\"&") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;")
        #expect(HTMLText.escape("demo-a → demo-b 10:00") == "demo-a → demo-b 10:00")
    }

    static func input(now: Date) -> StatusPage.Input {
        let t0 = now.addingTimeInterval(-120)
        let t1 = now.addingTimeInterval(-60)
        let down = ClusterHealthSnapshot(
            state: .down, since: t1, leader: nil,
            lastVerdict: ClusterVerdict(healthy: false, reason: .noMetaAnswered, detail: hostile),
            lastRPCOutcome: nil, metas: [:], recentTransitions: [],
            history: ClusterHistory(transitions: [
                HealthTransitionRecord(at: t0, from: .unknown, to: .up),
                HealthTransitionRecord(at: t1, from: .up, to: .down),
            ]))
        let reason = DecisionReason(.init(rawValue: "effective_down"), "primary down " + hostile)
        let first = DecisionRecord(
            table: "t1", from: "A", to: hostile, reason: reason, at: t1, decidedBy: "p1", lagDecrees: 4,
            trigger: .automatic)
        let second = DecisionRecord(
            table: "t1", from: hostile, to: "A", reason: reason, at: now.addingTimeInterval(-10), decidedBy: "cli",
            lagDecrees: nil, trigger: .manual)
        let moved = DecisionRecord(
            table: "t2", from: "A", to: hostile, reason: reason, at: t0, decidedBy: hostile, lagDecrees: nil,
            trigger: .forced)
        let onBackup = EffectiveRoute(
            table: "t2", activeCluster: hostile, reason: reason, since: t0, decidedBy: hostile, mode: .failover,
            history: [moved])
        let back = EffectiveRoute(
            table: "t1", activeCluster: "A", reason: reason, since: second.at, decidedBy: "cli", mode: .primary,
            history: [first, second])
        return StatusPage.Input(
            instance: hostile, isDecider: true,
            store: FailoverStoreStatus(source: "zookeeper /r", reachable: true, unreachableSince: nil, globallyPaused: true),
            policies: [],
            health: HealthSnapshot(takenAt: now, clusters: [hostile: down], duplications: [], duplicationFailures: []),
            effectiveRoutes: [back, onBackup], refusals: [], now: now)
    }

    @Test("shows clusters, tables on a backup and the decisions, escaping every value")
    func rendering() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let html = StatusPage(input: Self.input(now: now)).render()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"))
        #expect(html.contains("<span class=\"down\">DOWN</span>"))
        #expect(html.contains("up → <b>down</b>"))
        #expect(html.contains("failover paused globally"))
        // Only t2 is on a backup; t1 is back on its primary.
        let onBackup = try #require(html.components(separatedBy: "<h2>Tables on a backup</h2>").last?
            .components(separatedBy: "<h2>").first)
        #expect(onBackup.contains("<td>t2</td>") && !onBackup.contains("<td>t1</td>"))
        // Every document's history in one timeline, newest first.
        let timeline = try #require(html.components(separatedBy: "<h2>Recent decisions</h2>").last)
        let manual = try #require(timeline.range(of: "<span class=\"tag\">manual</span>"))
        let automatic = try #require(timeline.range(of: "<span class=\"tag\">automatic</span>"))
        let forced = try #require(timeline.range(of: "<span class=\"tag\">forced</span>"))
        #expect(manual.lowerBound < automatic.lowerBound && automatic.lowerBound < forced.lowerBound)
        #expect(html.contains("None loaded"))
    }

    @Test("a table is listed when some instance routes it off the primary or instances disagree")
    func fleetTables() {
        typealias View = InstanceRecord.RouteView
        let same = FleetStatus.Table(table: "t", declared: "A", routes: ["p1": View(cluster: "A", version: -1)])
        #expect(!same.onBackup && !same.inDisagreement)
        let moved = FleetStatus.Table(
            table: "t", declared: "A", routes: ["p1": View(cluster: "B", version: 2), "p2": View(cluster: "B", version: 2)])
        #expect(moved.onBackup && !moved.inDisagreement)
        let split = FleetStatus.Table(
            table: "t", declared: "A", routes: ["p1": View(cluster: "B", version: 2), "p2": View(cluster: "A", version: -1)])
        #expect(split.onBackup && split.inDisagreement)
    }

    @Test("uptimes", arguments: [(0.0, "0s"), (59, "59s"), (61, "1m1s"), (3_661, "1h1m"), (90_000, "1d1h")])
    func uptime(seconds: Double, text: String) {
        #expect(FleetStatus.duration(seconds) == text)
    }
}
