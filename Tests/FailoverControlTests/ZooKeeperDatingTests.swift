import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// Ages of what another host wrote are judged on ZooKeeper's clock (node `mtime`), never on that
/// host's wall clock: the effective route's last switch (the decider's cooldown) and the published
/// health snapshot (the operator guard).
@Suite("Dating other hosts' writes by ZooKeeper's clock", .serialized, .timeLimit(.minutes(2)))
struct ZooKeeperDatingTests {
    @Test("the store reports the node's mtime; re-dated, a switch written by a host whose clock is an hour behind is seconds old")
    func effectiveRouteMtime() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let store = try FailoverTesting.abStore(client: client, paths: paths)
        // Written by another host whose clock runs an hour behind.
        let skewed = Date().addingTimeInterval(-3600)
        var onB = EffectiveRoute(
            table: "t1", activeCluster: "A", reason: DecisionReason(.operatorRequest, "x"), since: skewed,
            decidedBy: "other-host", mode: .primary)
        var record = try #require(
            DecisionRecord(
                decision: .switchTo(cluster: "B", reason: DecisionReason(.effectiveDown, "A down")),
                input: DecisionInput(table: "t1", primary: "A", backups: ["B"], health: [:], now: skewed),
                decidedBy: "other-host", trigger: .automatic))
        record.at = skewed
        onB.apply(record, mode: .failover, historyLimit: 20)
        try await FailoverTesting.withServices([store]) {
            store.track(["t1"])
            #expect(await eventually { store.state(of: "t1") == .absent })
            _ = try await client.create(
                paths.effectiveRoute(of: "t1"), data: Array(try onB.jsonData()), createParents: true)
            #expect(await eventually { store.modifiedAt(of: "t1") != nil })
            let modified = try #require(store.modifiedAt(of: "t1"))
            // ZooKeeper-now from a write of ours, as the instance record's writes anchor it.
            let clock = ZooKeeperClock()
            let written = try await client.set(paths.effectiveRoute(of: "t1"), data: Array(try onB.jsonData()))
            clock.anchor(mtime: written.mtime, at: .now)
            let now = Date()
            let dated = FailoverDecider.date(zooKeeperTime: modified, clock: clock, now: now)
            #expect(now.timeIntervalSince(dated) >= 0 && now.timeIntervalSince(dated) < 30, "seconds old, not an hour")
            let document = try #require(store.state(of: "t1").routingDocument)
            #expect(now.timeIntervalSince(try #require(document.effectiveState(primary: "A").lastSwitchAt)) > 3000)
            // A write of this instance forgets the mtime until its watch re-reads the node.
            #expect(await eventually { store.state(of: "t1").version == written.version })
            _ = try await store.write(onB, expecting: .version(written.version))
            #expect(await eventually { (store.modifiedAt(of: "t1") ?? 0) >= written.mtime })
        }
        await client.close()
    }

    @Test("a health snapshot from a decider whose clock is 10 minutes ahead is re-dated by the node's age; one that looks older stays")
    func redatedHealth() throws {
        let now = Date()
        let skew: TimeInterval = 600
        let taken = now.addingTimeInterval(skew - 2)  // written 2 s ago by a clock 10 min ahead
        let observed = taken.addingTimeInterval(-1)
        let cluster = ClusterHealthSnapshot(
            state: .up, since: taken.addingTimeInterval(-60), leader: nil, lastVerdict: nil, lastRPCOutcome: nil,
            metas: [:], recentTransitions: [], history: ClusterHistory())
        let observation = DuplicationObservation(
            primaryCluster: "A", table: "t1", backupCluster: "B",
            report: TableDuplications(appId: 1, partitionCount: 1, entries: []), observedAt: observed)
        let snapshot = HealthSnapshot(
            takenAt: taken, clusters: ["A": cluster], duplications: [observation], duplicationFailures: [])
        // ZooKeeper says the node was written 2 s ago.
        let moved = FailoverAdmin.redated(snapshot, writtenAt: 1_000_000, zooKeeperNow: 1_002_000, now: now)
        #expect(abs(moved.takenAt.timeIntervalSince(now.addingTimeInterval(-2))) < 0.01)
        #expect(abs(moved.duplications[0].observedAt.timeIntervalSince(now.addingTimeInterval(-3))) < 0.01)
        #expect(abs((moved.clusters["A"]?.since ?? .distantPast).timeIntervalSince(now.addingTimeInterval(-62))) < 0.01)
        // A snapshot that looks older than its node (the decider's clock behind, or old data written
        // again) stays as old as it looks: stricter, never more lenient.
        let old = HealthSnapshot(
            takenAt: now.addingTimeInterval(-600), clusters: ["A": cluster], duplications: [observation],
            duplicationFailures: [])
        #expect(FailoverAdmin.redated(old, writtenAt: 1_000_000, zooKeeperNow: 1_002_000, now: now) == old)
        // Without ZooKeeper's time: unchanged.
        #expect(FailoverAdmin.redated(snapshot, writtenAt: 1_000_000, zooKeeperNow: nil, now: now) == snapshot)
    }
}
