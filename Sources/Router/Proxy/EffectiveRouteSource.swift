import PegasusWire
import RouteModel

/// Tells which cluster serves a table right now: the declared primary, or a duplication backup
/// the failover machinery switched to. Read on the data path when a table's resolution is made or
/// found stale (see ``generation``): must be cheap and must not block.
public protocol EffectiveRouteSource: Sendable {
    /// The cluster that should answer queries for `route.table` now.
    func activeCluster(for route: Route) -> ClusterRoute

    /// A counter that advances (after the change is visible) whenever ``activeCluster(for:)`` may
    /// answer differently for a route it already answered: an effective-route document changed,
    /// was installed, removed or read again. The proxy reuses a table's answer per event loop while
    /// this and ``RouteStore/generation`` stay put (``ChangeGeneration``). Cheap: one atomic load.
    var generation: UInt64 { get }
}

/// Routes every table to its declared primary (no failover).
public struct DeclaredRoutes: EffectiveRouteSource {
    /// Creates the source.
    public init() {}
    /// The route's declared primary.
    public func activeCluster(for route: Route) -> ClusterRoute { route.primary }
    /// Always 0: the answer depends on the route alone.
    public var generation: UInt64 { 0 }
}
