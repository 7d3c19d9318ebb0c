import PegasusWire
import RouteModel

/// Tells which cluster serves a table right now: the declared primary, or a duplication backup
/// the failover machinery switched to. Read on the data path for every query: must be cheap and
/// must not block.
public protocol EffectiveRouteSource: Sendable {
    /// The cluster that should answer queries for `route.table` now.
    func activeCluster(for route: Route) -> ClusterRoute
}

/// Routes every table to its declared primary (no failover).
public struct DeclaredRoutes: EffectiveRouteSource {
    /// Creates the source.
    public init() {}
    /// The route's declared primary.
    public func activeCluster(for route: Route) -> ClusterRoute { route.primary }
}
