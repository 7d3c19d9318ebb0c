import Logging
import PegasusWire
import RouteModel

/// What every client connection of a proxy shares.
public struct ProxyContext: Sendable {
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

    /// Bundles the shared parts.
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
    }
}
