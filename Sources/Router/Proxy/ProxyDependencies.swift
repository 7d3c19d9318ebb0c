import Logging
import PegasusWire
import RouteModel

/// What every client connection of a proxy depends on and shares: the route source, the failover
/// view, the upstream MetaServer pool, metrics, limits and the logger. Handed to ``ProxyServer``,
/// which gives it to each connection's handler.
public struct ProxyDependencies: Sendable {
    /// Table → declared route.
    public var routes: any RouteStore
    /// Declared route → the cluster serving it now (failover).
    public var effective: any EffectiveRouteSource
    /// The MetaServer client.
    public var upstreams: UpstreamPool
    /// Metrics.
    public var metrics: ProxyMetrics
    /// Client-facing limits.
    public var settings: ProxySettings
    /// The proxy's logger.
    public var logger: Logger
    /// The request bytes all connections may hold together (`settings.maxBufferedRequestBytes`).
    public var requestBuffers: RequestBufferBudget

    /// Bundles the shared parts.
    /// - Parameters:
    ///   - routes: Where a table's declared route is found.
    ///   - effective: Which cluster of a route serves it now; by default the declared primary.
    ///   - upstreams: The pool of MetaServer connections queries are sent through.
    ///   - metrics: Where the proxy counts connections, queries and replies.
    ///   - settings: Client-facing limits and timeouts.
    ///   - logger: The proxy's logger; each connection adds its peer address.
    public init(
        routes: any RouteStore,
        effective: any EffectiveRouteSource = DeclaredRoutes(),
        upstreams: UpstreamPool,
        metrics: ProxyMetrics,
        settings: ProxySettings,
        logger: Logger
    ) {
        self.routes = routes
        self.effective = effective
        self.upstreams = upstreams
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        self.requestBuffers = RequestBufferBudget(limit: settings.maxBufferedRequestBytes)
    }
}
