import FailoverPolicy
import Foundation
import HealthProbe
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// Instance records, observer views and the fleet against the real ZooKeeper named by `ZK_ADDRESS`.
@Suite("Instance records in ZooKeeper", .serialized, .timeLimit(.minutes(3)))
struct FleetZooKeeperTests {
    /// A snapshot where each cluster is in `states`; a cluster with a last-alive time has a
    /// verdict where a MetaServer answered at that time.
    static func snapshot(_ states: [String: (HealthStatus, lastAlive: Date?)]) -> HealthSnapshot {
        var clusters: [String: ClusterHealthSnapshot] = [:]
        for (name, (state, lastAlive)) in states {
            var verdicts: [VerdictRecord] = []
            if let lastAlive {
                verdicts.append(VerdictRecord(at: lastAlive, verdict: ClusterVerdict(healthy: false, reason: .rpcError)))
            }
            verdicts.append(
                VerdictRecord(at: Date(), verdict: ClusterVerdict(healthy: state == .up, reason: state == .up ? .healthy : .noMetaAnswered)))
            clusters[name] = ClusterHealthSnapshot(
                state: state, since: Date().addingTimeInterval(-30), leader: nil, lastVerdict: nil, lastRPCOutcome: nil,
                metas: [:], recentTransitions: [], history: ClusterHistory(verdicts: verdicts))
        }
        return HealthSnapshot(takenAt: Date(), clusters: clusters, duplications: [], duplicationFailures: [])
    }

    static func publisher(
        _ client: ZooKeeperClient, root: String, id: String, clock: ZooKeeperClock = ZooKeeperClock(),
        snapshot: HealthSnapshot, routes: [String: InstanceRecord.RouteView] = [:],
        settings: InstancePublisher.Settings = .init()
    ) -> InstancePublisher {
        let identity = InstancePublisher.Identity(
            instance: id, host: "host-\(id)", pid: 1, admin: nil, listen: "127.0.0.1:1", startedAt: Date(),
            routeSource: .zookeeper)
        return InstancePublisher(
            client: client, paths: FailoverPaths(root: root), identity: identity, settings: settings, clock: clock,
            tracker: LastAliveTracker(),
            source: { InstanceRecordSource.Inputs(snapshot: snapshot, decider: false, routes: routes) },
            logger: FailoverTesting.logger)
    }

    @Test("two instances and a peer root: fleet, observer counts, last alive, instancesNotRouting")
    func observers() async throws {
        let root = FailoverTesting.uniqueRoot()
        let peer = FailoverTesting.uniqueRoot()
        let (c1, c2, c3) = (
            try await FailoverTesting.connectedClient(), try await FailoverTesting.connectedClient(),
            try await FailoverTesting.connectedClient()
        )
        let clock = ZooKeeperClock()
        let own = Self.snapshot(["A": (.down, Date().addingTimeInterval(-40)), "B": (.up, Date())])
        let p1 = Self.publisher(c1, root: root, id: "i1", clock: clock, snapshot: own, routes: ["t1": .init(cluster: "A", version: -1)])
        let p2 = Self.publisher(
            c2, root: root, id: "i2", snapshot: Self.snapshot(["A": (.up, Date().addingTimeInterval(-2)), "B": (.up, Date())]),
            routes: ["t1": .init(cluster: "B", version: 3)])
        let p3 = Self.publisher(c3, root: peer, id: "z1", snapshot: Self.snapshot(["A": (.down, nil), "B": (.up, Date()), "C": (.up, Date())]))
        await p1.publishIfDue()
        await p2.publishIfDue()
        await p3.publishIfDue()
        #expect(clock.isAnchored)
        let stored = try await c1.get(FailoverPaths(root: root).instance("i2"))
        #expect(stored.stat.isEphemeral)
        #expect(try InstanceRecord.decode(stored.data, path: "i2").routes["t1"] == .init(cluster: "B", version: 3))

        let reader = ObserverReader(
            client: c1, root: root, peerRoots: [peer, root], ownInstance: "i1", clock: clock, tracker: LastAliveTracker(),
            logger: FailoverTesting.logger)
        await reader.refresh()
        let fleet = reader.fleet()
        #expect(fleet.members.map(\.record.instance).sorted() == ["i1", "i2", "z1"])
        #expect(fleet.members.allSatisfy { $0.live && $0.ageMs < 5000 }, "\(fleet.members.map(\.ageMs))")
        #expect(fleet.members.filter(\.ownRoot).map(\.record.instance).sorted() == ["i1", "i2"])
        #expect(fleet.errors.isEmpty)

        let now = Date()
        let views = reader.observerViews(own: own, now: now)
        let a = try #require(views["A"])
        #expect((a.live, a.down, a.up) == (3, 2, 1))
        // Latest last-alive of A: i2's, which saw it answer at its write (i1 saw it 40 s ago, z1 never).
        let aliveAgo = now.timeIntervalSince(try #require(a.lastAliveAt))
        #expect(aliveAgo > -1 && aliveAgo < 5, "\(aliveAgo)")
        #expect(views["B"].map { ($0.live, $0.up) } ?? (0, 0) == (3, 3))
        #expect(views["C"].map { ($0.live, $0.up) } ?? (0, 0) == (1, 1))

        #expect(reader.instancesNotRouting(table: "t1", to: "B") == ["i1"])
        #expect(reader.instancesNotRouting(table: "t1", to: "A") == ["i2"])
        #expect(reader.instancesNotRouting(table: "t2", to: "A") == ["i1", "i2"])

        for client in [c1, c2, c3] { await client.close() }
        let cleaner = try await FailoverTesting.connectedClient()
        #expect(await eventually { (try? await cleaner.children(FailoverPaths(root: root).instances))?.isEmpty == true })
        await cleaner.deleteTree(root)
        await cleaner.deleteTree(peer)
        await cleaner.close()
    }

    @Test("ages come from ZooKeeper's mtime: a record not rewritten ages, then stops counting")
    func agesFromMtime() async throws {
        let root = FailoverTesting.uniqueRoot()
        let c1 = try await FailoverTesting.connectedClient()
        let c2 = try await FailoverTesting.connectedClient()
        let clock = ZooKeeperClock()
        let own = Self.snapshot(["A": (.down, nil)])
        let p1 = Self.publisher(c1, root: root, id: "i1", clock: clock, snapshot: own)
        // i2 last saw A alive 3 s before it wrote.
        let p2 = Self.publisher(c2, root: root, id: "i2", snapshot: Self.snapshot(["A": (.down, Date().addingTimeInterval(-3))]))
        await p2.publishIfDue()
        let written = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(1500))
        await p1.publishIfDue()  // anchors the reader's estimate of ZooKeeper-now
        let reader = ObserverReader(
            client: c1, root: root, peerRoots: [], ownInstance: "i1", clock: clock, tracker: LastAliveTracker(),
            settings: .init(staleAfter: .seconds(4)), logger: FailoverTesting.logger)
        await reader.refresh()
        let elapsed = ZooKeeperClock.milliseconds(ContinuousClock.now - written)
        let member = try #require(reader.fleet().members.first { $0.record.instance == "i2" })
        #expect(member.ageMs >= 1200 && member.ageMs <= elapsed + 1000, "age \(member.ageMs), elapsed \(elapsed)")
        let view = try #require(reader.observerViews(own: own, now: Date())["A"])
        #expect(view.live == 2 && view.down == 2)
        let aliveAgo = Date().timeIntervalSince(try #require(view.lastAliveAt))
        #expect(aliveAgo >= 4.2 && aliveAgo < 3 + Double(elapsed) / 1000 + 2, "\(aliveAgo)")
        // Not rewritten for longer than stale_after: no longer a live observer.
        #expect(
            await eventually(within: .seconds(30)) {
                reader.observerViews(own: own, now: Date())["A"]?.live == 1
            })
        await c2.close()
        await c1.deleteTree(root)
        await c1.close()
    }

    @Test("a record gone (as after a session loss) is recreated within a heartbeat; a stop deletes it")
    func recreatedAndRemoved() async throws {
        let root = FailoverTesting.uniqueRoot()
        let client = try await FailoverTesting.connectedClient()
        let other = try await FailoverTesting.connectedClient()
        let path = FailoverPaths(root: root).instance("i1")
        let publisher = Self.publisher(client, root: root, id: "i1", snapshot: Self.snapshot(["A": (.up, Date())]))
        let running = Task { try await publisher.run() }
        #expect(await eventually { (try? await other.exists(path)) != nil })
        let first = try #require(try await other.exists(path))
        #expect(first.ephemeralOwner == client.sessionID)
        // Heartbeat: rewritten within about 2 s although nothing changed.
        #expect(await eventually(within: .seconds(10)) { ((try? await other.exists(path)) ?? nil)?.version ?? 0 > first.version })
        try await other.delete(path)
        #expect(await eventually(within: .seconds(10)) { (try? await other.exists(path)) != nil })
        running.cancel()
        _ = try? await running.value
        #expect(try await other.exists(path) == nil)
        await other.deleteTree(root)
        await client.close()
        await other.close()
    }
}
