import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// Fenced decider writes, the persisted duplication lag and unreadable effective-route nodes, against the
/// real ZooKeeper named by `ZK_ADDRESS` (and in-process simulated clusters A → B for the decider).
@Suite("Failover fencing and durable decisions", .serialized, .timeLimit(.minutes(3)))
struct FailoverFencingTests {
    private static let reason = DecisionReason(.operatorRequest, "test")

    private static func route() throws -> Route { try FailoverTesting.abRoute() }

    private static func document(on cluster: String, by decider: String) -> EffectiveRoute {
        EffectiveRoute(
            table: "t1", activeCluster: cluster, reason: reason, since: Date(), decidedBy: decider,
            mode: cluster == "A" ? .primary : .failover)
    }

    @Test("a fenced write lands while the election node exists and is rejected once its session is gone")
    func storeFence() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let owner = try await FailoverTesting.connectedClient()
        let store = ZooKeeperFailoverStateStore(
            client: client, paths: paths, routes: FixedRouteStore([try Self.route()]), metrics: FailoverMetrics(),
            logger: FailoverTesting.logger)
        let node = try await owner.create(
            paths.electionNodePrefix, data: Array("old".utf8), mode: .ephemeralSequential, createParents: true)
        let fence = DeciderFence(electionNode: node)
        let path = paths.effectiveRoute(of: "t1")
        try await FailoverTesting.withServices([store]) {
            #expect(try await store.write(Self.document(on: "B", by: "old"), expecting: .absent, fence: fence) == 0)
            #expect(try await store.write(Self.document(on: "A", by: "old"), expecting: .version(0), fence: fence) == 1)

            // The old decider's session ends (as when it was paused past its timeout): its node goes.
            await owner.close()
            #expect(await eventually { (try? await client.exists(node)) == nil })
            let before = try await client.get(path)
            let error = await #expect(throws: FailoverStateError.self) {
                try await store.write(Self.document(on: "B", by: "old"), expecting: .version(1), fence: fence)
            }
            #expect(error?.code == .fenced)
            let after = try await client.get(path)
            #expect(after.stat.version == before.stat.version && after.data == before.data)
            #expect(try EffectiveRoute.decode(Data(after.data), path: path).activeCluster == "A")

            // Creating is fenced too.
            try await client.delete(path)
            let createError = await #expect(throws: FailoverStateError.self) {
                try await store.write(Self.document(on: "B", by: "old"), expecting: .absent, fence: fence)
            }
            #expect(createError?.code == .fenced)
            #expect(try await client.exists(path) == nil)

            // Operator writes are not fenced.
            #expect(try await store.write(Self.document(on: "B", by: "operator"), expecting: .absent) == 0)
        }
        await client.deleteTree(root)
        await client.close()
    }

    @Test("the health snapshot is published fenced: a paused ex-decider cannot overwrite it")
    func healthFence() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let owner = try await FailoverTesting.connectedClient()
        let node = try await owner.create(
            paths.electionNodePrefix, data: Array("old".utf8), mode: .ephemeralSequential, createParents: true)
        var throttle = HealthPublisher.Throttle()
        throttle.minimumInterval = .zero
        throttle.maximumAge = .zero
        let publisher = HealthPublisher(
            client: client, path: paths.health, throttle: throttle,
            writeFailures: StateWriteFailures(metrics: FailoverMetrics(), credentialsSource: nil, logger: FailoverTesting.logger),
            logger: FailoverTesting.logger)
        func snapshot(_ state: HealthStatus) -> HealthSnapshot {
            let cluster = ClusterHealthSnapshot(
                state: state, since: nil, leader: nil, lastVerdict: nil, lastRPCOutcome: nil, metas: [:],
                recentTransitions: [], history: ClusterHistory())
            return HealthSnapshot(takenAt: Date(), clusters: ["A": cluster], duplications: [], duplicationFailures: [])
        }
        let fence = DeciderFence(electionNode: node)
        #expect(await publisher.publishIfDue(snapshot(.up), now: Date(), fence: fence) == false)
        let published = try await client.get(paths.health)
        #expect(try HealthSnapshot(jsonBytes: published.data).clusters["A"]?.state == .up)

        await owner.close()
        #expect(await eventually { (try? await client.exists(node)) == nil })
        #expect(await publisher.publishIfDue(snapshot(.down), now: Date(), fence: fence) == true)
        let after = try await client.get(paths.health)
        #expect(after.stat.version == published.stat.version)
        #expect(try HealthSnapshot(jsonBytes: after.data).clusters["A"]?.state == .up)
        await client.deleteTree(root)
        await client.close()
    }

    @Test("an unreadable effective-route node keeps the last known route, is counted and shown in the status")
    func unreadableKeepsRoute() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let route = try Self.route()
        let store = ZooKeeperFailoverStateStore(
            client: client, paths: paths, routes: FixedRouteStore([route]), metrics: FailoverMetrics(),
            logger: FailoverTesting.logger)
        let path = paths.effectiveRoute(of: "t1")
        try await FailoverTesting.withServices([store]) {
            store.track(["t1"])
            #expect(await eventually { store.state(of: "t1") == .absent })
            try await client.create(path, data: Array(try Self.document(on: "B", by: "d").jsonData()), createParents: true)
            #expect(await eventually { store.activeCluster(for: route).name == "B" })

            try await client.set(path, data: Array("{garbage".utf8))
            #expect(await eventually { store.status().unreadableTables == ["t1"] })
            #expect(store.activeCluster(for: route).name == "B")
            let json = String(decoding: try JSONEncoder().encode(store.status()), as: UTF8.self)
            #expect(json.contains("\"unreadable_tables\":[\"t1\"]"))

            try await client.set(path, data: Array(try Self.document(on: "B", by: "d").jsonData()))
            #expect(await eventually { store.status().unreadableTables.isEmpty })
            #expect(store.activeCluster(for: route).name == "B")
        }
        await client.deleteTree(root)
        await client.close()
    }

    // MARK: - The decider

    private struct Runtime {
        var runtime: FailoverRuntime
        var services: [any Service]
    }

    private static func makeRuntime(
        root: String, client: ZooKeeperClient, policies: RouteTestDirectory, instanceID: String, logger: Logger
    ) throws -> Runtime {
        let routes = ZooKeeperRouteStore(client: client, root: root, logger: logger)
        let runtime = try FailoverRuntime(
            settings: FailoverRuntime.Settings(policiesDirectory: policies.path, instanceID: instanceID, probeThreads: 2),
            routes: routes,
            coordination: .zooKeeper(client, root: root),
            group: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        return Runtime(runtime: runtime, services: [routes] + runtime.services)
    }

    private static func storedRoute(_ client: ZooKeeperClient, _ paths: FailoverPaths) async throws -> EffectiveRoute? {
        let path = paths.effectiveRoute(of: "t1")
        guard let data = try? await client.get(path).data else { return nil }
        return try EffectiveRoute.decode(Data(data), path: path)
    }

    @Test("a decider whose election node is gone: its write is rejected, logged and counted, it stops deciding")
    func deciderFenced() async throws {
        let a = try await FailoverTesting.startSim("A")
        let b = try await FailoverTesting.startSim("B", appIdBase: 100)
        let policies = try RouteTestDirectory()
        try policies.write("t1.yaml", FailoverTesting.policyYAML(kind: "auto-failover"))
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        try await RouteAdmin(client: client, root: root).set(try FailoverTesting.route(primary: a, backup: b))
        let records = RecordingLogHandler.Storage()
        var logger = Logger(label: "fencing") { _ in RecordingLogHandler(storage: records) }
        logger.logLevel = .info
        let instance = try Self.makeRuntime(root: root, client: client, policies: policies, instanceID: "d1", logger: logger)
        try await FailoverTesting.withServices(instance.services) {
            try a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(0)))
            let election = try #require(instance.runtime.election)
            #expect(await eventually { election.isDecider })
            #expect(await eventually {
                instance.runtime.prober.snapshot().duplications.contains { $0.primaryCluster == "A" && $0.maxLag == 0 }
            })
            // The node disappears behind the decider's back (as when its session was replaced).
            let node = try #require(election.fence()).electionNode
            try await client.delete(node)

            await a.killAll()
            let fencedLine = await poll {
                records.all.first { $0.message.contains("rejected by its fence") }
            }
            let line = try #require(fencedLine, "the fenced write is logged")
            #expect(line.level == .warning)
            #expect(line.metadata[FailoverLoggingKeys.reasonCode] == "fenced")
            // The first fenced write is the decision, the persisted lag or the health, whichever came first.
            #expect(
                ["effective_route", "lag", "health"].contains(line.metadata[FailoverLoggingKeys.stateNode]?.description))
            #expect(await eventually { records.all.contains { $0.message.contains("stopped deciding") } })
            // The election then names it again (it is the only instance) and the switch lands once.
            #expect(await eventually { (try? await Self.storedRoute(client, paths))?.activeCluster == "B" })
            let stored = try #require(try await Self.storedRoute(client, paths))
            #expect(stored.history.count == 1)
            #expect(election.fence()?.electionNode != node)
        }
        await instance.runtime.shutdown()
        await a.stop()
        await b.stop()
        await client.deleteTree(root)
        await client.close()
        policies.remove()
    }

    @Test("a decider elected after the primary died switches on the persisted lag; without one it refuses")
    func persistedLag() async throws {
        let a = try await FailoverTesting.startSim("A")
        let b = try await FailoverTesting.startSim("B", appIdBase: 100)
        let policies = try RouteTestDirectory()
        try policies.write("t1.yaml", FailoverTesting.policyYAML(kind: "auto-failover"))
        let root = FailoverTesting.uniqueRoot()
        let emptyRoot = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let route = try FailoverTesting.route(primary: a, backup: b)
        try await RouteAdmin(client: client, root: root).set(route)
        try await RouteAdmin(client: client, root: emptyRoot).set(route)
        try a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(0)))
        try a.write(table: "t1", count: 7)

        // Decider 1 sees the lag and persists it.
        let firstClient = try await FailoverTesting.connectedClient()
        let first = try Self.makeRuntime(
            root: root, client: firstClient, policies: policies, instanceID: "d1", logger: FailoverTesting.logger)
        try await FailoverTesting.withServices(first.services) {
            let persisted = await poll { () -> PersistedLagDocument? in
                guard let data = try? await client.get(paths.lag(of: "t1")).data,
                    let document = try? PersistedLagDocument(jsonBytes: data),
                    document.links.contains(where: { $0.matches("A", "B") && $0.maxLag == 7 })
                else { return nil }
                return document
            }
            #expect(persisted?.writtenBy == "d1")
            // Publishing health leaves it alone.
            #expect(await eventually { (try? await client.exists(paths.health)) != nil })
            let lagNode = try await client.exists(paths.lag(of: "t1"))
            #expect(lagNode != nil)
        }
        await first.runtime.shutdown()
        await firstClient.close()

        // The primary dies with (after) decider 1; decider 2 never saw it alive.
        await a.killAll()
        let secondClient = try await FailoverTesting.connectedClient()
        let second = try Self.makeRuntime(
            root: root, client: secondClient, policies: policies, instanceID: "d2", logger: FailoverTesting.logger)
        try await FailoverTesting.withServices(second.services) {
            #expect(await eventually { (try? await Self.storedRoute(client, paths))?.activeCluster == "B" })
            let stored = try #require(try await Self.storedRoute(client, paths))
            #expect(stored.decidedBy == "d2")
            #expect(stored.history.last?.lagDecrees == 7)
            #expect(second.runtime.prober.snapshot().duplications.allSatisfy { $0.maxLag == nil })
        }
        await second.runtime.shutdown()
        await secondClient.close()

        // Without a persisted lag the guard refuses: the duplication was never observed, and its first
        // read waits for the primary (never "no duplication", never a switch on an unknown lag).
        let thirdClient = try await FailoverTesting.connectedClient()
        let third = try Self.makeRuntime(
            root: emptyRoot, client: thirdClient, policies: policies, instanceID: "d3", logger: FailoverTesting.logger)
        try await FailoverTesting.withServices(third.services) {
            let refusal = await poll { third.runtime.decider.refusals().first }
            #expect(refusal?.reason.code == .duplicationNotObserved)
            #expect(refusal?.reason.text.contains("waits for A to be up") == true, "\(String(describing: refusal))")
            #expect(third.runtime.stateStore.state(of: "t1") == .absent)
        }
        await third.runtime.shutdown()
        await thirdClient.close()

        await a.stop()
        await b.stop()
        await client.deleteTree(root)
        await client.deleteTree(emptyRoot)
        await client.close()
        policies.remove()
    }
}
