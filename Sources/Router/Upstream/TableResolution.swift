import NIOCore
import RouteModel

/// One table resolved on one event loop: the cluster its queries go to now, that cluster's client,
/// and the table's `client_query_config_count` series, as of the route store's and the effective
/// route source's ``ChangeGeneration``s it was resolved at.
///
/// ``LoopUpstreams/resolution(of:routes:effective:metrics:now:)`` hands it out while both
/// generations are unchanged, so a query of a resolved table copies no `Route`, takes no store lock
/// and compares no clusters. Immutable: a stale resolution is replaced by a new one.
///
/// Loop-bound, like the ``LoopUpstreams`` that keeps it.
final class TableResolution {
    /// The table.
    let table: String
    /// ``RouteStore/generation`` when the route was read.
    let routeGeneration: UInt64
    /// ``EffectiveRouteSource/generation`` when the active cluster was read.
    let effectiveGeneration: UInt64
    /// The cluster that answers the table's queries.
    let cluster: ClusterRoute
    /// `cluster`'s hash, for the coalescing keys (``LoopUpstreams/InflightKey``).
    let clusterHash: Int
    /// This loop's client of `cluster`.
    let client: MetaClusterClient
    /// The table's `client_query_config_count` series (or the shared `_other` one).
    let queries: TableCount
    /// When to resolve the table again even if nothing changed: that lookup marks the table used in
    /// a route store with an LRU (``ZooKeeperRouteStore``), so a table served from here is not
    /// evicted as unused.
    let touchDue: NIODeadline

    init(
        table: String, routeGeneration: UInt64, effectiveGeneration: UInt64, cluster: ClusterRoute,
        client: MetaClusterClient, queries: TableCount, touchDue: NIODeadline
    ) {
        self.table = table
        self.routeGeneration = routeGeneration
        self.effectiveGeneration = effectiveGeneration
        self.cluster = cluster
        self.clusterHash = cluster.hashValue
        self.client = client
        self.queries = queries
        self.touchDue = touchDue
    }

    /// Whether the resolution still holds: neither source changed since, and the table's route
    /// store lookup is not due (`now`: the query's arrival).
    @inline(__always)
    func holds(routeGeneration: UInt64, effectiveGeneration: UInt64, now: NIODeadline) -> Bool {
        self.routeGeneration == routeGeneration && self.effectiveGeneration == effectiveGeneration && now < touchDue
    }
}

@available(*, unavailable)
extension TableResolution: Sendable {}
