import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("DecisionInputBuilder: what a policy decision sees")
struct DecisionInputBuilderTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func observation(
        primary: String,
        backup: String,
        status: DuplicationStatus?,
        failMode: DuplicationFailMode? = .slow,
        lag: Int64
    ) -> DuplicationObservation {
        var entries: [DuplicationEntry] = []
        if let status {
            entries.append(
                DuplicationEntry(
                    dupid: 17,
                    status: status,
                    remote: backup,
                    failMode: failMode,
                    partitionStates: [0: DuplicationPartitionState(confirmedDecree: 10, lastCommittedDecree: 10 + lag)]
                )
            )
        }
        return DuplicationObservation(
            primaryCluster: primary,
            table: "t1",
            backupCluster: backup,
            report: TableDuplications(appId: 1, partitionCount: 1, entries: entries),
            observedAt: now.addingTimeInterval(-3)
        )
    }

    private static func cluster(_ state: HealthStatus, since: Date?) -> ClusterHealthSnapshot {
        ClusterHealthSnapshot(
            state: state,
            since: since,
            leader: nil,
            lastVerdict: nil,
            lastRPCOutcome: nil,
            metas: [:],
            recentTransitions: [HealthTransitionRecord(at: now, from: .up, to: state)],
            history: ClusterHistory()
        )
    }

    @Test("health, duplications both ways, stored placement and pause flags reach the input")
    func builds() throws {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let route = Route(table: "t1", primary: a, backups: [b])
        let snapshot = HealthSnapshot(
            takenAt: Self.now,
            clusters: ["A": Self.cluster(.down, since: Self.now.addingTimeInterval(-5))],
            duplications: [
                Self.observation(primary: "A", backup: "B", status: .log, lag: 7),
                Self.observation(primary: "B", backup: "A", status: .pause, failMode: DuplicationFailMode(idlName: "FAIL_NEW"), lag: 1),
            ],
            duplicationFailures: []
        )
        let reason = DecisionReason(.effectiveDown, "test")
        var document = EffectiveRoute(
            table: "t1", activeCluster: "A", reason: reason, since: Self.now, decidedBy: "x", mode: .primary, paused: true)
        document.apply(
            DecisionRecord(
                table: "t1", from: "A", to: "B", reason: reason, at: Self.now, decidedBy: "x", lagDecrees: 7,
                trigger: .automatic),
            mode: .failover
        )
        let input = DecisionInputBuilder(snapshot: snapshot)
            .input(for: route, document: document, globallyPaused: true, now: Self.now)
        #expect(input.health(of: "A").state == .down)
        #expect(input.health(of: "A").since == Self.now.addingTimeInterval(-5))
        #expect(input.health(of: "A").recentTransitions == 1)
        #expect(input.health(of: "B").state == .unknown)
        let forward = try #require(input.duplications["B"])
        #expect(forward.status == .log && forward.failMode == .slow && forward.maxLagDecrees == 7)
        #expect(forward.observedAt == Self.now.addingTimeInterval(-3))
        // An unknown fail mode is judged as FAIL_SKIP, never as lossless.
        let reverse = try #require(input.reverseDuplications["B"])
        #expect(reverse.status == .pause && reverse.failMode == .skip)
        #expect(input.effectiveCluster == "B")
        #expect(input.tablePaused && input.globallyPaused)
    }

    @Test("observer views of the route's clusters and the decider's own down count reach the input")
    func observers() throws {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let route = Route(table: "t1", primary: a, backups: [b])
        let snapshot = HealthSnapshot(
            takenAt: Self.now,
            clusters: [
                "A": Self.cluster(.down, since: Self.now), "B": Self.cluster(.up, since: Self.now),
                "C": Self.cluster(.down, since: Self.now),
            ],
            duplications: [], duplicationFailures: [])
        let views = [
            "A": ObserverView(live: 3, down: 1, up: 2, lastAliveAt: Self.now),
            "C": ObserverView(live: 1, down: 1, up: 0, lastAliveAt: nil),
        ]
        let input = DecisionInputBuilder(snapshot: snapshot, observers: views)
            .input(for: route, document: nil, globallyPaused: false, now: Self.now)
        #expect(input.observers == ["A": views["A"]!])
        #expect(input.observers(of: "A") == views["A"])
        // No view of B: the decider alone.
        #expect(input.observers(of: "B") == ObserverView(live: 1, down: 0, up: 1, lastAliveAt: nil))
        #expect(input.probedClusters == 3 && input.downClusters == 2)
        // The local source: this instance alone, with its last-alive times.
        let alive = Self.now.addingTimeInterval(-4)
        var withHistory = snapshot
        withHistory.clusters["A"]?.history = ClusterHistory(verdicts: [
            VerdictRecord(at: alive, verdict: ClusterVerdict(healthy: false, reason: .leaderUnknown)),
            VerdictRecord(at: Self.now, verdict: ClusterVerdict(healthy: false, reason: .noMetaAnswered)),
        ])
        let local = LocalObserverSource(tracker: LastAliveTracker()).observerViews(own: withHistory, now: Self.now)
        #expect(local["A"] == ObserverView(live: 1, down: 1, up: 0, lastAliveAt: alive))
        #expect(local["B"] == ObserverView(live: 1, down: 0, up: 1, lastAliveAt: nil))
    }

    @Test("no duplication to a backup is no view (the guard says not duplicating)")
    func noDuplication() throws {
        let observation = Self.observation(primary: "A", backup: "B", status: nil, lag: 0)
        #expect(DecisionInputBuilder.view(observation) == nil)
    }

    @Test("a published table list's denials and the pending first reads reach the input")
    func denialsAndPendingReads() throws {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let c = ClusterRoute(name: "C", metas: [try Endpoint(parsing: "127.0.0.1:3")])
        let route = Route(table: "t1", primary: a, backups: [b, c])
        var denying = Self.cluster(.up, since: Self.now)
        denying.deniedTables = ["t1": "reconfig*all", "other": "timeout*all"]
        var listedClean = Self.cluster(.up, since: Self.now)
        listedClean.deniedTables = ["other": "timeout*write"]
        let due = Self.now.addingTimeInterval(3)
        let snapshot = HealthSnapshot(
            takenAt: Self.now,
            clusters: ["A": Self.cluster(.up, since: Self.now), "B": denying, "C": listedClean],
            duplications: [Self.observation(primary: "A", backup: "C", status: .log, lag: 1)],
            duplicationFailures: [],
            pendingDuplications: [
                PendingDuplicationRead(primaryCluster: "A", table: "t1", backupCluster: "B", dueAt: due),
                // Stale: C is observed already, so it is not pending.
                PendingDuplicationRead(primaryCluster: "A", table: "t1", backupCluster: "C", dueAt: due),
            ]
        )
        let input = DecisionInputBuilder(snapshot: snapshot)
            .input(for: route, document: nil, globallyPaused: false, now: Self.now)
        #expect(input.deniedTargets == ["B": "reconfig*all"])
        #expect(input.pendingDuplicationReads == ["B": DecisionInput.PendingRead(dueAt: due)])
        #expect(input.notObservedYetReason(of: "B")?.text == "A → B: duplication not observed yet; first duplication read due in 3s")
        // The snapshot round-trips through its JSON (the published health node) with both.
        let decoded = try HealthSnapshot(jsonBytes: try snapshot.jsonBytes())
        #expect(decoded.clusters["B"]?.deniedTables == ["t1": "reconfig*all", "other": "timeout*all"])
        #expect(decoded.pendingDuplications?.first?.dueAt == due)
    }
}
