import FailoverPolicy
import HealthProbe
import PegasusWire
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds a policy's ``DecisionInput`` from the prober's ``HealthSnapshot`` and the table's stored
/// ``EffectiveRoute`` (pure): health, duplication views, the clusters whose table denies client
/// requests (``ClusterHealthSnapshot/deniedTables``), the duplications whose first read is pending,
/// and the observer views (``ObserverSource``) when given.
struct DecisionInputBuilder {
    private struct ObservationKey: Hashable {
        var primary: String
        var table: String
        var backup: String
    }

    private let snapshot: HealthSnapshot
    private let observations: [ObservationKey: DuplicationObservation]
    private let observers: [String: ObserverView]
    private let probedClusters: Int
    private let downClusters: Int
    private let pending: [ObservationKey: PendingDuplicationRead]
    /// The snapshot's links without duplication, for the persisted lag (indexed once per tick).
    let liveLinks: PersistedLagStore.LiveLinks

    /// Indexes one snapshot for many tables.
    /// - Parameters:
    ///   - snapshot: The prober's snapshot.
    ///   - observers: What the live observers see per cluster; empty = this instance alone.
    init(snapshot: HealthSnapshot, observers: [String: ObserverView] = [:]) {
        self.snapshot = snapshot
        self.observers = observers
        probedClusters = snapshot.clusters.count
        downClusters = snapshot.clusters.values.filter { $0.state == .down }.count
        var observations: [ObservationKey: DuplicationObservation] = [:]
        for observation in snapshot.duplications {
            let key = ObservationKey(
                primary: observation.primaryCluster,
                table: observation.table,
                backup: observation.backupCluster
            )
            observations[key] = observation
        }
        self.observations = observations
        var pending: [ObservationKey: PendingDuplicationRead] = [:]
        for read in snapshot.pendingDuplications ?? [] {
            pending[ObservationKey(primary: read.primaryCluster, table: read.table, backup: read.backupCluster)] = read
        }
        self.pending = pending
        liveLinks = PersistedLagStore.LiveLinks(snapshot)
    }

    /// The input for `route` at `now`.
    /// - Parameters:
    ///   - route: The declared route (primary and backups).
    ///   - document: The stored effective route; `nil` = on the primary, never switched.
    ///   - globallyPaused: Whether `<root>/.meta-proxy/paused` exists.
    ///   - now: The decision time.
    func input(for route: Route, document: EffectiveRoute?, globallyPaused: Bool, now: Date) -> DecisionInput {
        var health: [String: ClusterHealth] = [:]
        for cluster in route.clusters {
            health[cluster.name] = Self.health(snapshot.clusters[cluster.name], now: now)
        }
        var duplications: [String: DuplicationView] = [:]
        var reverse: [String: DuplicationView] = [:]
        for backup in route.backups.map(\.name) {
            let forward = ObservationKey(primary: route.primary.name, table: route.table, backup: backup)
            duplications[backup] = observations[forward].flatMap(Self.view)
            let back = ObservationKey(primary: backup, table: route.table, backup: route.primary.name)
            reverse[backup] = observations[back].flatMap(Self.view)
        }
        var input = DecisionInput(
            table: route.table,
            primary: route.primary.name,
            backups: route.backups.map(\.name),
            health: health,
            duplications: duplications,
            reverseDuplications: reverse,
            current: document?.effectiveState(primary: route.primary.name) ?? .initial,
            tablePaused: document?.paused ?? false,
            globallyPaused: globallyPaused,
            now: now,
            observers: observers.filter { name, _ in health[name] != nil },
            probedClusters: probedClusters,
            downClusters: downClusters
        )
        for cluster in route.clusters {
            if let denial = snapshot.clusters[cluster.name]?.deniedTables?[route.table] {
                input.deniedTargets[cluster.name] = denial
            }
        }
        for backup in route.backups.map(\.name) {
            let key = ObservationKey(primary: route.primary.name, table: route.table, backup: backup)
            if observations[key] == nil, let read = pending[key] {
                input.pendingDuplicationReads[backup] = DecisionInput.PendingRead(
                    dueAt: read.dueAt, waitingFor: read.waitingFor)
            }
        }
        return input
    }

    /// A cluster's rise/fall state as a decision input; unknown (since `now`) when not probed.
    static func health(_ cluster: ClusterHealthSnapshot?, now: Date) -> ClusterHealth {
        guard let cluster else {
            return ClusterHealth(state: .unknown, since: now)
        }
        let state: ClusterHealth.State
        switch cluster.state {
        case .up: state = .up
        case .down: state = .down
        case .unknown: state = .unknown
        }
        return ClusterHealth(state: state, since: cluster.since ?? now, recentTransitions: cluster.recentTransitions.count)
    }

    /// The guard's view of an observation; `nil` when the table has no duplication to that cluster.
    /// A status name the proxy does not know counts as `DS_REMOVED` (as Pegasus decodes unknown names);
    /// a missing fail mode (servers before v2.5.0) as `FAIL_SLOW`, their default, and an unknown one
    /// as `FAIL_SKIP`, so the guard refuses rather than assume no loss.
    static func view(_ observation: DuplicationObservation) -> DuplicationView? {
        guard observation.dupid != nil, let status = observation.status else {
            return nil
        }
        let viewStatus = DuplicationStatus.names[status.rawValue] == nil ? .removed : status
        var failMode = DuplicationFailMode.slow
        if let reported = observation.failMode {
            failMode = DuplicationFailMode.names[reported.rawValue] == nil ? .skip : reported
        }
        return DuplicationView(
            duplicating: true,
            status: viewStatus,
            failMode: failMode,
            maxLagDecrees: observation.maxLag.map { Int(clamping: $0) },
            observedAt: observation.observedAt
        )
    }
}
