import FailoverPolicy

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Which live meta-proxy instances under a root do not yet route a table to a cluster.
///
/// The planned switchover waits on it between switching the effective route and setting
/// `replica.deny_client_request=reconfig*all` on the source: clients re-querying on
/// `ERR_INVALID_STATE` must be answered from the target by every instance, never sent back to the
/// source. An implementation reads the instance registry (each live instance's effective cluster
/// per table); ``NoFleetRegistry`` is used where none is available.
public protocol FleetRouteAcknowledgements: Sendable {
    /// The ids of the live instances that do not route `table` to `cluster` (yet); empty when all do.
    /// - Throws: When the registry cannot be read (the caller retries until its timeout).
    func instancesNotRouting(table: String, to cluster: String) async throws -> [String]
    /// Per cluster, what the live observers publish now; empty when unknown (`failover plan` then
    /// judges as if the decider were the only observer).
    func observerViews(now: Date) async -> [String: ObserverView]
}

extension FleetRouteAcknowledgements {
    /// No observer views.
    public func observerViews(now: Date) async -> [String: ObserverView] { [:] }
}

/// No instance registry: every instance is taken to route as the effective route says, so the wait
/// ends at once.
///
/// This is what a deployment without the registry gets: instances follow the effective route
/// through a ZooKeeper watch, typically within milliseconds, but without a registry nobody checks;
/// the planned switchover's progress says so.
public struct NoFleetRegistry: FleetRouteAcknowledgements {
    /// Creates the empty registry.
    public init() {}

    /// Always empty.
    public func instancesNotRouting(table: String, to cluster: String) async throws -> [String] {
        []
    }
}
