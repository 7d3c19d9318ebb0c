import FailoverPolicy
import Foundation
import HealthProbe
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

/// The whole failover runtime (prober, state store, election, decider) against two in-process
/// simulated clusters: A (primary of `t1`) and B (its duplication backup).
@Suite("Failover decider", .serialized, .timeLimit(.minutes(2)))
struct FailoverDeciderTests {
    private struct Fixture {
        var a: SimCluster
        var b: SimCluster
        var route: Route
        var runtime: FailoverRuntime
        var client: ZooKeeperClient?
        var paths: FailoverPaths?
    }

    /// Starts sims A and B, the route of `t1` (A, backup B), a policy directory with `policy`, and the
    /// runtime (on ZooKeeper unless `local`); runs `body`; tears everything down.
    private static func withFixture(
        policy: String,
        local: Bool = false,
        _ body: (Fixture) async throws -> Void
    ) async throws {
        let a = try await FailoverTesting.startSim("A")
        let b = try await FailoverTesting.startSim("B", appIdBase: 100)
        let directory = try RouteTestDirectory()
        try directory.write("t1.yaml", policy)
        let route = try FailoverTesting.route(primary: a, backup: b)
        var client: ZooKeeperClient?
        var paths: FailoverPaths?
        let routes: any RouteStore
        var services: [any Service] = []
        let coordination: FailoverRuntime.Coordination
        let root = FailoverTesting.uniqueRoot()
        if local {
            routes = FixedRouteStore([route])
            coordination = .local(stateFile: nil)
        } else {
            let connected = try await FailoverTesting.connectedClient()
            try await RouteAdmin(client: connected, root: root).set(route)
            let store = ZooKeeperRouteStore(client: connected, root: root, logger: FailoverTesting.logger)
            routes = store
            services.append(store)
            coordination = .zooKeeper(connected, root: root)
            client = connected
            paths = FailoverPaths(root: root)
        }
        let runtime = try FailoverRuntime(
            settings: FailoverRuntime.Settings(policiesDirectory: directory.path, instanceID: "test-decider", probeThreads: 2),
            routes: routes,
            coordination: coordination,
            group: MultiThreadedEventLoopGroup.singleton,
            logger: FailoverTesting.logger
        )
        let fixture = Fixture(a: a, b: b, route: route, runtime: runtime, client: client, paths: paths)
        var failure: (any Error)?
        do {
            try await FailoverTesting.withServices(services + runtime.services) {
                try await body(fixture)
            }
        } catch {
            failure = error
        }
        await runtime.shutdown()
        await a.stop()
        await b.stop()
        if let client {
            await client.deleteTree(root)
            await client.close()
        }
        directory.remove()
        if let failure {
            throw failure
        }
    }

    /// Waits until the prober has seen both clusters up and a known A → B lag equal to `lag`.
    private static func waitForWarmProber(_ fixture: Fixture, lag: Int64) async -> Bool {
        await eventually {
            let snapshot = fixture.runtime.prober.snapshot()
            let observation = snapshot.duplications.first { $0.primaryCluster == "A" && $0.backupCluster == "B" }
            return snapshot.clusters["A"]?.state == .up && snapshot.clusters["B"]?.state == .up
                && observation?.maxLag == lag
        }
    }

    @Test("primary killed: the table switches to its backup, written with compare-and-set and history")
    func switchesToBackup() async throws {
        try await Self.withFixture(policy: FailoverTesting.policyYAML(kind: "auto-failover")) { fixture in
            try fixture.a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(0)))
            #expect(await Self.waitForWarmProber(fixture, lag: 0))
            #expect(await eventually { fixture.runtime.decider.isDecider })
            #expect(fixture.runtime.stateStore.activeCluster(for: fixture.route).name == "A")

            await fixture.a.killAll()
            #expect(await eventually { fixture.runtime.stateStore.activeCluster(for: fixture.route).name == "B" })

            let client = try #require(fixture.client)
            let paths = try #require(fixture.paths)
            let path = paths.effectiveRoute(of: "t1")
            let stored = try EffectiveRoute.decode(Data(try await client.get(path).data), path: path)
            #expect(stored.activeCluster == "B" && stored.mode == .failover && stored.decidedBy == "test-decider")
            let record = try #require(stored.history.last)
            #expect(record.from == "A" && record.to == "B" && record.trigger == .automatic)
            #expect(record.reason.code == .effectiveDown && record.lagDecrees == 0)
            #expect(fixture.runtime.decider.refusals().isEmpty)

            // The decider publishes the prober's snapshot for the CLI.
            #expect(
                await eventually {
                    guard let data = try? await client.get(paths.health).data,
                        let health = try? HealthSnapshot(jsonBytes: data)
                    else { return false }
                    return health.clusters["A"]?.state == .down
                })

            // The policy never fails back: A revived, t1 stays on B.
            try await fixture.a.reviveAll()
            #expect(await eventually { fixture.runtime.prober.snapshot().clusters["A"]?.state == .up })
            #expect(fixture.runtime.stateStore.activeCluster(for: fixture.route).name == "B")
        }
    }

    @Test("lag above the guard: no switch, a refusal naming the lag")
    func refusesOverGuard() async throws {
        try await Self.withFixture(policy: FailoverTesting.policyYAML(kind: "auto-failover", maxLag: 100)) { fixture in
            try fixture.a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(0)))
            try fixture.a.write(table: "t1", count: 500)
            #expect(await Self.waitForWarmProber(fixture, lag: 500))
            await fixture.a.killAll()
            #expect(await eventually { !fixture.runtime.decider.refusals().isEmpty })
            let refusal = try #require(fixture.runtime.decider.refusals().first)
            #expect(refusal.table == "t1" && refusal.cluster == "A" && refusal.policy == "test-auto-failover")
            #expect(refusal.reason.code == .lagTooHigh)
            #expect(refusal.reason.text.contains("500"))
            #expect(fixture.runtime.stateStore.state(of: "t1") == .absent)
            #expect(fixture.runtime.stateStore.activeCluster(for: fixture.route).name == "A")
            #expect(fixture.runtime.statusJSON().contains("lag_too_high"))
        }
    }

    @Test("without ZooKeeper the single instance decides locally")
    func decidesLocally() async throws {
        try await Self.withFixture(policy: FailoverTesting.policyYAML(kind: "auto-failover"), local: true) { fixture in
            try fixture.a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(0)))
            #expect(await Self.waitForWarmProber(fixture, lag: 0))
            #expect(fixture.runtime.decider.isDecider)
            await fixture.a.killAll()
            #expect(await eventually { fixture.runtime.stateStore.activeCluster(for: fixture.route).name == "B" })
            #expect(fixture.runtime.stateStore.documents().first?.history.last?.trigger == .automatic)
        }
    }
}
