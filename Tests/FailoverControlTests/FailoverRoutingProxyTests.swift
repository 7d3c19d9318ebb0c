import FailoverPolicy
import Foundation
import HealthProbe
import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// A proxy keeps each table's resolution per event loop while its failover state store's generation
/// stays put: a switch to the backup and back must still move the very next query. A real proxy over
/// a real state store, two simulated clusters, and a query_config client through real sockets (the
/// RPC probe's client pointed at the proxy).
@Suite("Failover state stores route a proxy's next query", .serialized, .timeLimit(.minutes(2)))
struct FailoverRoutingProxyTests {
    /// Runs `body` with clusters A (`t1`, app ids from 1) and B (`t1`, app ids from 100), a proxy
    /// routing `t1` to A with backup B through `effective`, and a function asking the proxy for
    /// `t1`'s app id.
    static func withProxy(
        effective: (Route) async throws -> any EffectiveRouteSource,
        _ body: (Route, SimCluster, SimCluster, () async -> Int32?) async throws -> Void
    ) async throws {
        let a = try await FailoverTesting.startSim("simA")
        let b = try await FailoverTesting.startSim("simB", appIdBase: 100)
        let route = try FailoverTesting.route(primary: a, backup: b)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let metrics = ProxyMetrics()
        let upstreams = UpstreamPool(group: group, settings: UpstreamSettings(), observer: metrics, logger: FailoverTesting.logger)
        let probes = ProbeUpstreams(group: MultiThreadedEventLoopGroup.singleton, logger: FailoverTesting.logger)
        do {
            let server = ProxyServer(
                host: "127.0.0.1", port: 0, group: group,
                dependencies: ProxyDependencies(
                    routes: FixedRouteStore([route]), effective: try await effective(route), upstreams: upstreams,
                    metrics: metrics, settings: ProxySettings(), logger: FailoverTesting.logger))
            try await FailoverTesting.withServices([server]) {
                let port = try #require(try await server.localAddress().port)
                let client = UpstreamRPCHealthProbe(upstreams: probes)
                try await body(route, a, b) {
                    let outcome = await client.queryConfig(
                        cluster: "proxy", metas: ["127.0.0.1:\(port)"], table: "t1", timeout: .seconds(3))
                    guard case .leaderAnswered(_, _, let appId) = outcome else { return nil }
                    return appId
                }
            }
        } catch {
            await probes.close()
            await upstreams.close()
            try? await group.shutdownGracefully()
            await a.stop()
            await b.stop()
            throw error
        }
        await probes.close()
        await upstreams.close()
        try? await group.shutdownGracefully()
        await a.stop()
        await b.stop()
    }

    static func appId(_ cluster: SimCluster) -> Int32? {
        cluster.tables.first { $0.name == "t1" }?.appId
    }

    static func document(_ cluster: String, mode: EffectiveRoute.Mode) -> EffectiveRoute {
        EffectiveRoute(
            table: "t1", activeCluster: cluster, reason: DecisionReason(.operatorRequest, "test"), since: Date(),
            decidedBy: "test", mode: mode)
    }

    @Test("local store: a switch to the backup moves the next query, and the switch back returns it")
    func localStoreSwitches() async throws {
        let store = LocalFailoverStateStore(metrics: FailoverMetrics(), logger: FailoverTesting.logger)
        try await Self.withProxy(effective: { _ in store }) { _, a, b, ask in
            for _ in 0..<3 { #expect(await ask() == Self.appId(a)) }
            try await store.write(Self.document("simB", mode: .failover), expecting: .absent)
            for _ in 0..<3 { #expect(await ask() == Self.appId(b)) }
            try await store.write(Self.document("simA", mode: .primary), expecting: .version(0))
            for _ in 0..<3 { #expect(await ask() == Self.appId(a)) }
        }
    }

    @Test("ZooKeeper store: a document another process writes moves the next query once read, and back")
    func zooKeeperStoreSwitches() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let zk = try await FailoverTesting.connectedClient()
        let path = paths.effectiveRoute(of: "t1")
        do {
            var made: ZooKeeperFailoverStateStore?
            try await Self.withProxy(effective: { route in
                let store = ZooKeeperFailoverStateStore(
                    client: zk, paths: paths, routes: FixedRouteStore([route]), metrics: FailoverMetrics(),
                    logger: FailoverTesting.logger)
                made = store
                return store
            }) { route, a, b, ask in
                let store = try #require(made)
                try await FailoverTesting.withServices([store]) {
                    // The first query asks the store, which reads the (absent) node in the background.
                    #expect(await ask() == Self.appId(a))
                    #expect(await eventually { store.state(of: "t1") == .absent })
                    #expect(await ask() == Self.appId(a))

                    // Once the store routes by the new document and has advanced its generation (just
                    // after), the next query goes by it.
                    var before = store.generation
                    try await zk.create(path, data: Array(try Self.document("simB", mode: .drill).jsonData()), createParents: true)
                    #expect(await eventually { store.activeCluster(for: route).name == "simB" && store.generation != before })
                    for _ in 0..<3 { #expect(await ask() == Self.appId(b)) }

                    before = store.generation
                    try await zk.delete(path)
                    #expect(await eventually { store.state(of: "t1") == .absent && store.generation != before })
                    for _ in 0..<3 { #expect(await ask() == Self.appId(a)) }
                }
            }
        } catch {
            await zk.deleteTree(root)
            await zk.close()
            throw error
        }
        await zk.deleteTree(root)
        await zk.close()
    }
}
