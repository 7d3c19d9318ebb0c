import FailoverPolicy
import Foundation
import Logging
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// Shared helpers of the Failover*Tests suites.
enum FailoverTesting {
    /// A quiet logger; `FAILOVER_TEST_LOG_LEVEL=debug` shows the runtime's lines.
    static let logger = TestLogging.logger(label: "FailoverTests", levelFrom: "FAILOVER_TEST_LOG_LEVEL")

    /// A connected client of the test ZooKeeper.
    static func connectedClient(sessionTimeout: Duration = .seconds(4)) async throws -> ZooKeeperClient {
        try await TestZooKeeper.connectedClient(sessionTimeout: sessionTimeout, logger: logger)
    }

    /// A root path no other test uses.
    static func uniqueRoot() -> String {
        TestZooKeeper.uniqueRoot(prefix: "failover-test")
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

    /// `table` on cluster A (127.0.0.1:1001) with B (127.0.0.1:2001) as its duplication backup: a route
    /// for tests that talk to ZooKeeper only.
    static func abRoute(_ table: String = "t1") throws -> Route {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1001")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2001")])
        return Route(table: table, primary: a, backups: [b])
    }

    /// A failover state store under `paths` whose route store knows ``abRoute(_:)`` of `t1`.
    static func abStore(client: ZooKeeperClient, paths: FailoverPaths) throws -> ZooKeeperFailoverStateStore {
        ZooKeeperFailoverStateStore(
            client: client, paths: paths, routes: FixedRouteStore([try abRoute()]), metrics: FailoverMetrics(),
            logger: logger)
    }

    /// A sim's name and MetaServers as a ``ClusterRoute``.
    static func clusterRoute(_ cluster: SimCluster) throws -> ClusterRoute {
        ClusterRoute(
            name: cluster.configuration.name,
            metas: try cluster.metaAddresses.map { try Endpoint(parsing: $0) }
        )
    }

    /// A policy file for `t1` (short intervals, generous guard age; replica_lease 0 unless given, so
    /// min_down alone times a switch).
    static func policyYAML(kind: String, maxLag: Int = 1000, cooldown: String = "30s", replicaLease: String = "0s")
        -> String
    {
        """
        name: test-\(kind)
        tables: ["t1"]
        kind: \(kind)
        probe:  { interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }
        switch: { min_down: 500ms, cooldown: \(cooldown), replica_lease: \(replicaLease) }
        guard:  { max_lag_decrees: \(maxLag), max_lag_age: 30s }
        """
    }

    /// Runs `body` while an ``abStore(client:paths:)`` under a fresh root runs, then deletes the root and
    /// closes the client (also when `body` throws).
    static func withRunningABStore(
        _ body: (ZooKeeperClient, FailoverPaths, ZooKeeperFailoverStateStore) async throws -> Void
    ) async throws {
        let paths = FailoverPaths(root: uniqueRoot())
        let client = try await connectedClient()
        do {
            let store = try abStore(client: client, paths: paths)
            try await withServices([store]) { try await body(client, paths, store) }
        } catch {
            await client.deleteTree(paths.root)
            await client.close()
            throw error
        }
        await client.deleteTree(paths.root)
        await client.close()
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
}
