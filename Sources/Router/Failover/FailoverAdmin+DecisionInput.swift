import FailoverPolicy
import Foundation
import HealthProbe

extension FailoverAdmin {
    /// The ``FailoverPolicy/DecisionInput`` of an operator switch: the table's route and stored
    /// document, the decider's published health and duplication observations, the pause flags.
    ///
    /// Cluster health from a snapshot older than `healthMaxAge` counts as unknown: a decider that
    /// stopped publishing says nothing about now. Duplication observations keep their own time, so
    /// the guard's `max_lag_age` judges them. Observation to view: a status name the proxy does not
    /// know counts as `DS_REMOVED`, a missing fail mode as `FAIL_SLOW` (the servers' default), an
    /// unknown one as `FAIL_SKIP`, so the guard refuses rather than assume no loss.
    static func decisionInput(
        route: Route,
        document: EffectiveRoute?,
        health: HealthSnapshot?,
        healthMaxAge: Duration,
        globallyPaused: Bool,
        now: Date
    ) -> DecisionInput {
        let fresh = health.map { now.timeIntervalSince($0.takenAt) <= Self.seconds(healthMaxAge) } ?? false
        var clusters: [String: ClusterHealth] = [:]
        for cluster in route.clusters {
            let snapshot = fresh ? health?.clusters[cluster.name] : nil
            clusters[cluster.name] = clusterHealth(snapshot, now: now)
        }
        var forward: [String: DuplicationView] = [:]
        var reverse: [String: DuplicationView] = [:]
        for backup in route.backups.map(\.name) {
            for observation in health?.duplications ?? [] where observation.table == route.table {
                if observation.primaryCluster == route.primary.name && observation.backupCluster == backup {
                    forward[backup] = duplicationView(observation)
                }
                if observation.primaryCluster == backup && observation.backupCluster == route.primary.name {
                    reverse[backup] = duplicationView(observation)
                }
            }
        }
        return DecisionInput(
            table: route.table,
            primary: route.primary.name,
            backups: route.backups.map(\.name),
            health: clusters,
            duplications: forward,
            reverseDuplications: reverse,
            current: document?.effectiveState(primary: route.primary.name) ?? .initial,
            tablePaused: document?.paused ?? false,
            globallyPaused: globallyPaused,
            now: now
        )
    }

    private static func clusterHealth(_ snapshot: ClusterHealthSnapshot?, now: Date) -> ClusterHealth {
        guard let snapshot else {
            return ClusterHealth(state: .unknown, since: now)
        }
        let state: ClusterHealth.State
        switch snapshot.state {
        case .up: state = .up
        case .down: state = .down
        case .unknown: state = .unknown
        }
        return ClusterHealth(
            state: state, since: snapshot.since ?? now, recentTransitions: snapshot.recentTransitions.count)
    }

    private static func duplicationView(_ observation: DuplicationObservation) -> DuplicationView? {
        guard observation.dupid != nil, let status = observation.status else {
            return nil
        }
        let statuses: [DuplicationView.Status] = [.initial, .prepare, .app, .log, .pause, .removed]
        let failModes: [DuplicationView.FailMode] = [.slow, .skip, .fast]
        return DuplicationView(
            duplicating: true,
            status: statuses.first { $0.wireName == status.rawValue } ?? .removed,
            failMode: observation.failMode.map { mode in failModes.first { $0.wireName == mode.rawValue } ?? .skip }
                ?? .slow,
            maxLagDecrees: observation.maxLag.map { Int(clamping: $0) },
            observedAt: observation.observedAt
        )
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
