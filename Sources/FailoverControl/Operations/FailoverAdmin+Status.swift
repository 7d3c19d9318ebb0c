import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router

extension FailoverAdmin {
    /// The failover decider as its election node says.
    public struct Decider: Hashable, Sendable {
        /// The election node's name, `n_<sequence>`.
        public var node: String
        /// Its data: the deciding instance's id.
        public var instance: String
    }

    /// What the health node (``FailoverPaths/health``) holds.
    public enum HealthReading: Sendable {
        /// No node: no decider has published health (none running, or none ever ran).
        case absent
        /// A node whose data is not a ``HealthProbe/HealthSnapshot``, with the decoder's message.
        case unreadable(String)
        /// The decider's latest snapshot.
        case published(HealthSnapshot)

        /// The snapshot, when one is published.
        public var snapshot: HealthSnapshot? {
            if case .published(let snapshot) = self {
                return snapshot
            }
            return nil
        }
    }

    /// Everything `failover status <table>` shows.
    public struct TableStatus: Sendable {
        /// The declared route.
        public var route: Route
        /// The effective route; `nil` when the table was never switched (on its primary).
        public var effective: EffectiveRoute?
        /// The policy that applies to the table.
        public var policy: PolicySpec
        /// The decider's health snapshot.
        public var health: HealthReading
        /// The global pause, if any.
        public var globalPause: GlobalPause?
        /// The current decider, if any.
        public var decider: Decider?
        /// When the status was read.
        public var readAt: Date

        /// The cluster the table is routed to.
        public var activeCluster: String { effective?.activeCluster ?? route.primary.name }

        /// The lag observations of this table between clusters of its route (forward and reverse),
        /// sorted by primary then backup cluster.
        public var duplications: [DuplicationObservation] {
            let names = Set(route.clusters.map(\.name))
            return (health.snapshot?.duplications ?? [])
                .filter { $0.table == route.table && names.contains($0.primaryCluster) && names.contains($0.backupCluster) }
                .sorted { ($0.primaryCluster, $0.backupCluster) < ($1.primaryCluster, $1.backupCluster) }
        }

        /// Failed duplication queries of this table on clusters of its route.
        public var duplicationFailures: [DuplicationQueryFailure] {
            let names = Set(route.clusters.map(\.name))
            return (health.snapshot?.duplicationFailures ?? [])
                .filter { $0.table == route.table && names.contains($0.primaryCluster) }
        }
    }

    /// One routed table in `failover status` without a table.
    public struct OverviewRow: Sendable {
        /// The declared route.
        public var route: Route
        /// The effective route; `nil` when never switched.
        public var effective: EffectiveRoute?
        /// Why the effective route could not be read, if it could not.
        public var effectiveError: String?

        /// The cluster the table is routed to (the primary when the document is unreadable).
        public var activeCluster: String { effective?.activeCluster ?? route.primary.name }
    }

    /// Everything `failover status` without a table shows.
    public struct Overview: Sendable {
        /// Routed tables that declare backups, by table name.
        public var rows: [OverviewRow]
        /// Routed tables without backups (not shown per line).
        public var tablesWithoutBackups: Int
        /// Route nodes that cannot be read, with why.
        public var invalidRoutes: [(table: String, error: String)]
        /// The decider's health snapshot.
        public var health: HealthReading
        /// The global pause, if any.
        public var globalPause: GlobalPause?
        /// The current decider, if any.
        public var decider: Decider?
        /// When the status was read.
        public var readAt: Date
    }

    /// The failover status of one table.
    /// - Throws: ``FailoverAdminError`` (unknown table, unreadable effective route, ZooKeeper).
    public func status(of table: String) async throws(FailoverAdminError) -> TableStatus {
        let route = try await declaredRoute(table)
        return TableStatus(
            route: route,
            effective: try await storedRoute(table)?.document,
            policy: policies.policy(for: table).spec,
            health: try await health(),
            globalPause: try await globalPause(),
            decider: try await decider(),
            readAt: clock()
        )
    }

    /// The failover status of every routed table with backups.
    public func overview() async throws(FailoverAdminError) -> Overview {
        let listings: [RouteAdmin.Listing]
        do {
            listings = try await routes.list()
        } catch {
            throw FailoverAdminError(.zooKeeper, path: routes.root, message: "listing routes: \(error)")
        }
        var rows: [OverviewRow] = []
        var invalid: [(table: String, error: String)] = []
        var withoutBackups = 0
        for listing in listings {
            switch listing {
            case .invalid(let table, let error):
                invalid.append((table, "\(error)"))
            case .route(let route) where route.backups.isEmpty:
                withoutBackups += 1
            case .route(let route):
                do throws(FailoverAdminError) {
                    rows.append(OverviewRow(route: route, effective: try await storedRoute(route.table)?.document))
                } catch where error.code == .malformedNode {
                    rows.append(OverviewRow(route: route, effectiveError: error.message))
                }
            }
        }
        return Overview(
            rows: rows,
            tablesWithoutBackups: withoutBackups,
            invalidRoutes: invalid,
            health: try await health(),
            globalPause: try await globalPause(),
            decider: try await decider(),
            readAt: clock()
        )
    }
}
