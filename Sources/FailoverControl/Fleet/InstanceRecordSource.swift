import FailoverPolicy
import HealthProbe
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds an ``InstanceRecord`` from what the instance knows now (pure, apart from the tracker).
enum InstanceRecordSource {
    /// What changes between records.
    struct Inputs: Sendable {
        /// The prober's snapshot.
        var snapshot: HealthSnapshot
        /// Whether this instance decides now.
        var decider: Bool
        /// Per tracked table (with backups): the effective cluster and the applied node version
        /// (`-1` when the node is absent).
        var routes: [String: InstanceRecord.RouteView]
    }

    /// The record at `now`.
    static func record(
        identity: InstancePublisher.Identity,
        inputs: Inputs,
        tracker: LastAliveTracker,
        now: Date
    ) -> InstanceRecord {
        let lastAlive = tracker.update(inputs.snapshot)
        return InstanceRecord(
            instance: identity.instance,
            host: identity.host,
            pid: identity.pid,
            admin: identity.admin,
            listen: identity.listen,
            version: identity.version,
            startedAt: identity.startedAt,
            routeSource: identity.routeSource,
            decider: inputs.decider,
            writtenAt: now,
            clusters: clusterViews(inputs.snapshot, lastAlive: lastAlive, now: now),
            routes: inputs.routes
        )
    }

    /// The prober's verdict per probed cluster, times relative to `now`.
    static func clusterViews(_ snapshot: HealthSnapshot, lastAlive: [String: Date], now: Date)
        -> [String: InstanceRecord.ClusterView]
    {
        var views: [String: InstanceRecord.ClusterView] = [:]
        for (name, cluster) in snapshot.clusters {
            let state: InstanceRecord.ClusterView.State
            switch cluster.state {
            case .up: state = .up
            case .down: state = .down
            case .unknown: state = .unknown
            }
            views[name] = InstanceRecord.ClusterView(
                state: state,
                stateForMs: cluster.since.map { milliseconds(now.timeIntervalSince($0)) } ?? 0,
                lastAliveMsAgo: lastAlive[name].map { milliseconds(now.timeIntervalSince($0)) }
            )
        }
        return views
    }

    /// Per table with backups: the cluster this instance routes it to (the effective route's
    /// document, or the declared primary while there is none or it is not read yet) and the node
    /// version applied (`-1` without a node).
    static func routeViews(_ routes: [Route], store: any FailoverStateStore) -> [String: InstanceRecord.RouteView] {
        var views: [String: InstanceRecord.RouteView] = [:]
        for route in routes where !route.backups.isEmpty {
            let primary = route.primary.name
            switch store.state(of: route.table) {
            case .unknown, .absent:
                views[route.table] = .init(cluster: primary, version: -1)
            case .present(let document, let version):
                views[route.table] = .init(cluster: document.activeCluster, version: Int(version))
            case .malformed(let version, _, let previous):
                views[route.table] = .init(cluster: previous?.activeCluster ?? primary, version: Int(version))
            }
        }
        return views
    }

    /// Whole milliseconds, never negative.
    static func milliseconds(_ interval: TimeInterval) -> Int {
        max(Int((interval * 1000).rounded()), 0)
    }
}
