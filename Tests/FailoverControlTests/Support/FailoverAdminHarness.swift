import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

/// Shared set-up of the FailoverAdmin suites: a real ZooKeeper (`ZK_ADDRESS`) under a root no other
/// test uses, routes, published health snapshots, and in-process simulated clusters.
enum FailoverAdminHarness {
    static let logger = FailoverTesting.logger

    /// A ZooKeeper client and a fresh root, deleted (with everything below) after `body`.
    static func withZooKeeper(_ body: (ZooKeeperClient, String) async throws -> Void) async throws {
        try await TestZooKeeper.withClient(sessionTimeout: .seconds(10), prefix: "failover-test", logger: logger, body)
    }

    /// An admin over `client` and `root` with the given policies and MetaServer client.
    static func admin(
        _ client: ZooKeeperClient,
        _ root: String,
        policies: [PolicySpec] = [],
        upstream: UpstreamPool? = nil,
        replicaLag: ReplicaLagReader? = nil,
        operatorName: String = "cli:test@host",
        fleet: any FleetRouteAcknowledgements = NoFleetRegistry()
    ) throws -> FailoverAdmin {
        let set = try PolicySet(policies: try policies.map { try Policy(spec: $0, registry: .builtIn) })
        return FailoverAdmin(
            client: client, root: root, policies: set, upstream: upstream, replicaLag: replicaLag,
            operatorName: operatorName,
            identity: OperatorIdentity(
                operatorName: operatorName, osUser: "tester", zooKeeperIdentity: "digest:ops", host: "host", pid: 42),
            fleet: fleet, logger: logger)
    }

    /// A replica lag reader on a thread pool of its own, shut down after `body`.
    static func withReplicaLagReader(_ body: (ReplicaLagReader) async throws -> Void) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        do {
            try await body(ReplicaLagReader(client: CurlHTTPClient(threadPool: pool)))
        } catch {
            try await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
    }

    /// Declares `table` on `primary` with `backups` (metas on unused loopback ports unless given).
    @discardableResult
    static func declare(
        _ client: ZooKeeperClient,
        _ root: String,
        _ table: String,
        primary: String = "A",
        backups: [String] = ["B"],
        metas: [String: [String]] = [:]
    ) async throws -> Route {
        func cluster(_ name: String) throws -> ClusterRoute {
            let unused = "127.0.0.1:\(name.utf8.reduce(1) { $0 + Int($1) })"
            return ClusterRoute(name: name, metas: try (metas[name] ?? [unused]).map { try Endpoint(parsing: $0) })
        }
        let route = Route(table: table, primary: try cluster(primary), backups: try backups.map(cluster))
        try await RouteAdmin(client: client, root: root).set(route)
        return route
    }

    /// Publishes a health snapshot taken at `takenAt` as the decider would.
    static func publishHealth(
        _ client: ZooKeeperClient,
        _ root: String,
        takenAt: Date = Date(),
        clusters: [String: HealthStatus],
        duplications: [DuplicationObservation] = []
    ) async throws {
        let snapshot = HealthSnapshot(
            takenAt: takenAt,
            clusters: clusters.mapValues { state in
                ClusterHealthSnapshot(
                    state: state, since: takenAt.addingTimeInterval(-300), leader: nil, lastVerdict: nil,
                    lastRPCOutcome: nil, metas: [:], recentTransitions: [], history: ClusterHistory())
            },
            duplications: duplications,
            duplicationFailures: [])
        let path = FailoverPaths(root: root).health
        let data = try snapshot.jsonBytes()
        if try await client.exists(path) == nil {
            try await client.create(path, data: data, createParents: true)
        } else {
            try await client.set(path, data: data)
        }
    }

    /// An observation of `table` duplicating `primary` → `backup` in `DS_LOG` with `lag` on every partition.
    static func observation(
        _ table: String,
        primary: String = "A",
        backup: String = "B",
        lag: Int64,
        status: DuplicationStatus = .log,
        observedAt: Date = Date()
    ) -> DuplicationObservation {
        let states = Dictionary(
            uniqueKeysWithValues: (0..<4).map {
                (Int32($0), DuplicationPartitionState(confirmedDecree: 100, lastCommittedDecree: 100 + lag))
            })
        let report = TableDuplications(
            appId: 1, partitionCount: 4,
            entries: [DuplicationEntry(dupid: 1, status: status, remote: backup, partitionStates: states)])
        return DuplicationObservation(
            primaryCluster: primary, table: table, backupCluster: backup, report: report, observedAt: observedAt)
    }

    /// The stored effective route of `table`, decoded.
    static func effective(_ client: ZooKeeperClient, _ root: String, _ table: String) async throws -> EffectiveRoute? {
        let path = FailoverPaths(root: root).effectiveRoute(of: table)
        guard let (data, _) = try? await client.get(path) else {
            return nil
        }
        return try EffectiveRoute.decode(Data(data), path: path)
    }

    /// `document` as ZooKeeper stores it (dates to the second).
    static func stored(_ document: EffectiveRoute) throws -> EffectiveRoute {
        try EffectiveRoute.decode(try document.jsonData(), path: "-")
    }

    /// Two started simulated clusters `A` and `B` serving `t1` (4 partitions), stopped after `body`;
    /// their duplication replies have `shape`.
    static func withClusters(
        shape: SimDuplicationShape = .master,
        _ body: (SimCluster, SimCluster) async throws -> Void
    ) async throws {
        let a = try await FailoverTesting.startSim("A", duplicationShape: shape)
        do {
            let b = try await FailoverTesting.startSim("B", duplicationShape: shape)
            do {
                try await body(a, b)
            } catch {
                await b.stop()
                throw error
            }
            await b.stop()
        } catch {
            await a.stop()
            throw error
        }
        await a.stop()
    }

    /// A MetaServer client for planned switches.
    static func upstream() -> UpstreamPool {
        UpstreamPool(
            group: MultiThreadedEventLoopGroup.singleton, settings: UpstreamSettings(attemptTimeout: .seconds(2)),
            logger: logger)
    }
}
