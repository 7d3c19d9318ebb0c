import Logging
import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import ServiceLifecycle
import TestSupport

@testable import Router

/// An in-process proxy on an ephemeral loopback port, run as a service and shut down gracefully
/// (drained) after the test body.
struct ProxyHarness: Sendable {
    let server: ProxyServer
    let metrics: ProxyMetrics
    let upstreams: UpstreamPool
    /// The proxy's event loops.
    let group: MultiThreadedEventLoopGroup
    let port: Int
    /// Starts the graceful shutdown (the drain) now, while the body still runs.
    let shutDown: @Sendable () async -> Void

    static let quiet = TestLogging.quiet

    /// Runs `body` against a proxy over `routes` (and `effective`) with two event loops (so coalescing makes at most
    /// two upstream calls per identical query burst).
    static func run(
        routes: any RouteStore,
        effective: any EffectiveRouteSource = DeclaredRoutes(),
        settings: ProxySettings = ProxySettings(),
        upstream: UpstreamSettings = UpstreamSettings(),
        metrics: ProxyMetrics = ProxyMetrics(),
        _ body: (ProxyHarness) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let upstreams = UpstreamPool(group: group, settings: upstream, observer: metrics, logger: quiet)
        let dependencies = ProxyDependencies(
            routes: routes, effective: effective, upstreams: upstreams, metrics: metrics, settings: settings, logger: quiet)
        let server = ProxyServer(host: "127.0.0.1", port: 0, group: group, dependencies: dependencies)
        let services = ServiceGroup(services: [server], logger: quiet)
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await services.run() }
            do {
                let address = try await server.localAddress()
                let harness = ProxyHarness(
                    server: server, metrics: metrics, upstreams: upstreams, group: group, port: address.port ?? 0,
                    shutDown: { await services.triggerGracefulShutdown() })
                try await body(harness)
                await services.triggerGracefulShutdown()
                return .success(())
            } catch {
                await services.triggerGracefulShutdown()
                return .failure(error)
            }
        }
        await upstreams.close()
        try? await group.shutdownGracefully()
        try outcome.get()
    }

    /// The client queries kept for reuse on each event loop (``ProxyQuery``), summed.
    func pooledQueries() async throws -> Int {
        var total = 0
        for loop in group.makeIterator() {
            let upstreams = self.upstreams
            total += try await loop.submit { upstreams.upstreams(on: loop)?.proxyQueries.count ?? 0 }.get()
        }
        return total
    }

    /// The tables resolved (``TableResolution``) on each event loop, summed.
    func resolvedTables() async throws -> Int {
        var total = 0
        for loop in group.makeIterator() {
            let upstreams = self.upstreams
            total += try await loop.submit { upstreams.upstreams(on: loop)?.resolutionCount ?? 0 }.get()
        }
        return total
    }

    /// The upstream cluster clients of every event loop.
    func clusterClients() async -> Int {
        await upstreams.clientCount()
    }

    /// A connected test client.
    func client(autoRead: Bool = true) async throws -> ProxyTestClient {
        try await ProxyTestClient.connect(port: port, autoRead: autoRead)
    }
}

/// Simulated clusters for proxy tests.
enum SimClusters {
    /// Starts a cluster named `name` with `tables` (name, partition count).
    static func start(_ name: String, tables: [(String, Int)], appIdBase: Int32 = 1, metas: Int = 3) async throws -> SimCluster {
        let cluster = try SimCluster(
            configuration: SimClusterConfiguration(
                name: name, metaCount: metas, replicaCount: 3,
                tables: tables.map { SimTable(name: $0.0, partitionCount: $0.1) }, appIdBase: appIdBase))
        try await cluster.start()
        return cluster
    }

    /// Runs `body`, then stops `clusters`, also when `body` throws.
    static func stopping(_ clusters: [SimCluster], after body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            for cluster in clusters { await cluster.stop() }
            throw error
        }
        for cluster in clusters { await cluster.stop() }
    }

    /// The route of `table` to `cluster`'s MetaServers.
    static func route(_ table: String, to cluster: SimCluster) throws -> Route {
        Route(
            table: table,
            primary: ClusterRoute(
                name: cluster.configuration.name, metas: try cluster.metaAddresses.map { try Endpoint(parsing: $0) }))
    }

    /// `query_config` requests every MetaServer of `cluster` received.
    static func queryCount(_ cluster: SimCluster) -> Int {
        cluster.stats().metas.map(\.queryConfig).reduce(0, +)
    }
}
