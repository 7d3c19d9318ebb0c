import FailoverPolicy
import Foundation
import Logging
import NIOPosix
import PegasusSim
import ServiceLifecycle
import Synchronization
import Testing
import ZooKeeper

@testable import Router

/// Shared helpers of the Failover*Tests suites.
enum FailoverTesting {
    /// A quiet logger; `FAILOVER_TEST_LOG_LEVEL=debug` shows the runtime's lines.
    static let logger: Logger = {
        var logger = Logger(label: "FailoverTests") { StreamLogHandler.standardError(label: $0) }
        let level = ProcessInfo.processInfo.environment["FAILOVER_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .critical
        return logger
    }()

    /// The ZooKeeper named by `ZK_ADDRESS`; the test fails without it.
    static func zooKeeperAddress() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["ZK_ADDRESS"],
            "set ZK_ADDRESS=host:port of a running ZooKeeper (scripts/zk.sh start)"
        )
    }

    /// A connected client of the test ZooKeeper.
    static func connectedClient(sessionTimeout: Duration = .seconds(4)) async throws -> ZooKeeperClient {
        let client = ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: [try zooKeeperAddress()],
                sessionTimeout: sessionTimeout,
                connectTimeout: .seconds(30)
            ),
            logger: logger
        )
        try await client.connect()
        return client
    }

    /// A root path no other test uses.
    static func uniqueRoot() -> String {
        "/failover-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// A started simulated cluster with table `t1` (4 partitions).
    static func startSim(
        _ name: String,
        appIdBase: Int32 = 1,
        duplicationShape: SimDuplicationShape = .master
    ) async throws -> SimCluster {
        let cluster = try SimCluster(
            configuration: SimClusterConfiguration(
                name: name,
                tables: [SimTable(name: "t1", partitionCount: 4)],
                appIdBase: appIdBase,
                duplicationShape: duplicationShape
            )
        )
        try await cluster.start()
        return cluster
    }

    /// The route of `t1` on `primary` with backup `backup`.
    static func route(primary: SimCluster, backup: SimCluster) throws -> Route {
        Route(
            table: "t1",
            primary: try clusterRoute(primary),
            backups: [try clusterRoute(backup)]
        )
    }

    /// A sim's name and MetaServers as a ``ClusterRoute``.
    static func clusterRoute(_ cluster: SimCluster) throws -> ClusterRoute {
        ClusterRoute(
            name: cluster.configuration.name,
            metas: try cluster.metaAddresses.map { try MetaAddress(parsing: $0) }
        )
    }

    /// A policy file for `t1` (short intervals, generous guard age).
    static func policyYAML(kind: String, maxLag: Int = 1000, cooldown: String = "30s") -> String {
        """
        name: test-\(kind)
        tables: ["t1"]
        kind: \(kind)
        probe:  { interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }
        switch: { min_down: 500ms, cooldown: \(cooldown) }
        guard:  { max_lag_decrees: \(maxLag), max_lag_age: 30s }
        """
    }

    /// Runs `services` while `body` runs, then cancels them and waits for them to end.
    static func withServices<T: Sendable>(
        _ services: [any Service],
        _ body: () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            do {
                let result = try await body()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes (generous: the machine is shared).
    static func eventually(
        within timeout: Duration = .seconds(30),
        _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await condition() {
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

extension ZooKeeperClient {
    /// Deletes `path` and everything below it; errors are ignored (cleanup only).
    func removeTree(_ path: String) async {
        if let children = try? await children(path) {
            for child in children {
                await removeTree(path + "/" + child)
            }
        }
        try? await delete(path)
    }
}

/// A route store with fixed routes (no source to load from).
final class FixedRouteStore: RouteStore {
    private let routes: Mutex<[String: Route]>
    private let changes = Broadcaster<RouteChange>()

    init(_ routes: [Route]) {
        self.routes = Mutex(Dictionary(uniqueKeysWithValues: routes.map { ($0.table, $0) }))
    }

    func route(for table: String) async throws(RouteError) -> Route {
        guard let route = cachedRoute(for: table) else {
            throw RouteError(code: .unknownTable, table: table, source: "fixed", reason: "no route")
        }
        return route
    }

    func cachedRoute(for table: String) -> Route? {
        routes.withLock { $0[table] }
    }

    func routeChanges() -> AsyncStream<RouteChange> {
        changes.subscribe()
    }

    func allCachedRoutes() -> [Route] {
        routes.withLock { Array($0.values) }.sorted { $0.table < $1.table }
    }

    var isReady: Bool { true }
}
