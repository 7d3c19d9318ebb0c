import FailoverPolicy
import HealthProbe
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `meta-proxy failover plan [table]`: what the decider would do now, and why (writes nothing).
extension FailoverAdmin {
    /// One table's predicted decision.
    public struct PlanEntry: Sendable {
        /// The declared route.
        public var route: Route
        /// The table's policy.
        public var policy: Policy
        /// The input, built like the decider builds it.
        public var input: DecisionInput
        /// What the policy decides on `input`.
        public var decision: Decision

        /// `keep`, `switch`, `switch-back` or `refuse`.
        public var verb: String {
            switch decision {
            case .keep: "keep"
            case .switchTo: "switch"
            case .switchBack: "switch-back"
            case .refuse: "refuse"
            }
        }

        /// The cluster the decision routes to (the current one for keep and refuse).
        public var target: String {
            switch decision {
            case .keep, .refuse: input.effectiveCluster
            case .switchTo(let cluster, _): cluster
            case .switchBack: input.primary
            }
        }
    }

    /// What the decider's policies would decide now for `table` (or every table with backups):
    /// the same ``DecisionInputBuilder`` the decider uses, fed the published health snapshot
    /// (``FailoverPaths/health``; no snapshot: every cluster unknown), the stored effective routes and
    /// the pause flags. Reads only.
    /// - Parameters:
    ///   - table: One table, or `nil` for every table with backups.
    ///   - now: The decision time.
    /// - Returns: The entries, sorted by table, and the health reading they were made from.
    public func plan(
        _ table: String?,
        now: Date? = nil
    ) async throws(FailoverAdminError) -> (entries: [PlanEntry], health: HealthReading) {
        let now = now ?? clock()
        var routesToPlan: [Route] = []
        if let table {
            routesToPlan = [try await declaredRoute(table)]
        } else {
            let listings: [RouteAdmin.Listing]
            do {
                listings = try await routes.list()
            } catch {
                throw FailoverAdminError(.zooKeeper, path: routes.root, message: "listing routes: \(error)")
            }
            for case .route(let route) in listings where !route.backups.isEmpty {
                routesToPlan.append(route)
            }
        }
        let health = try await health()
        let snapshot: HealthSnapshot
        if case .published(let published) = health {
            snapshot = published
        } else {
            snapshot = HealthSnapshot(takenAt: now, clusters: [:], duplications: [], duplicationFailures: [])
        }
        let builder = DecisionInputBuilder(snapshot: snapshot, observers: await fleet.observerViews(now: now))
        let globallyPaused = try await globalPause() != nil
        var entries: [PlanEntry] = []
        for route in routesToPlan.sorted(by: { $0.table < $1.table }) {
            let document = try await storedRoute(route.table)?.document
            let input = builder.input(for: route, document: document, globallyPaused: globallyPaused, now: now)
            let policy = policies.policy(for: route.table)
            entries.append(PlanEntry(route: route, policy: policy, input: input, decision: policy.decide(input)))
        }
        return (entries, health)
    }
}
