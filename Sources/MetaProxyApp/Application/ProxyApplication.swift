import AdminHTTP
import Logging
import NIOCore
import NIOHTTP1
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle

/// Builds the long-running parts of a meta-proxy instance from its configuration: the proxy
/// listener and the admin listener, over a route store and a failover view the caller provides.
/// ``ProxyProcess`` (`meta-proxy serve`) adds the route source, the failover runtime and process
/// concerns (logging and metrics bootstrap, signals); tests run the same assembly in-process.
public struct ProxyApplication: Sendable {
    /// The client-facing listener.
    public let proxy: ProxyServer
    /// The admin HTTP listener.
    public let admin: AdminServer
    /// The MetaServer client shared by all connections.
    public let upstreams: UpstreamPool
    /// Metrics of the data path.
    public let metrics: ProxyMetrics
    /// Set when the graceful shutdown starts; `/readyz` answers 503 from then on.
    public let drain: DrainState

    /// Assembles an instance.
    /// - Parameters:
    ///   - configuration: the validated configuration.
    ///   - group: the event loops for every socket.
    ///   - routes: the route source.
    ///   - routeSourceName: how `/routes` names the source (``ProxyConfiguration/RouteSource/name``).
    ///   - effective: which cluster serves each table now.
    ///   - metricsText: renders `/metrics` (Prometheus text) but for the per-table counters, which
    ///     the proxy keeps itself and appends (``TableSeriesText``).
    ///   - extraAdmin: further admin endpoints (e.g. `/failover`).
    public init(
        configuration: ProxyConfiguration,
        group: any EventLoopGroup,
        routes: any RouteStore,
        routeSourceName: String,
        effective: any EffectiveRouteSource = DeclaredRoutes(),
        metricsText: @escaping @Sendable () -> String,
        extraAdmin: [String: AdminServer.Handler] = [:],
        logger: Logger
    ) {
        let metrics = ProxyMetrics(maxTableSeries: configuration.metric.maxTableSeries)
        let upstreams = UpstreamPool(
            group: group, settings: configuration.upstreamSettings, observer: metrics, logger: logger)
        let dependencies = ProxyDependencies(
            routes: routes, effective: effective, upstreams: upstreams, metrics: metrics,
            settings: configuration.proxySettings, logger: logger)
        self.proxy = ProxyServer(
            host: configuration.server.listen.host, port: configuration.server.listen.port, group: group,
            dependencies: dependencies)
        let drain = DrainState()
        let readiness = ReadinessEndpoint(routes: routes, drain: drain)
        let tags = configuration.metric.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var handlers: [String: AdminServer.Handler] = [
            "/metrics": { _ in
                readiness.recordReadiness()
                var text = metricsText()
                // The per-table counters are the proxy's own, not the registry's (see TableCounters).
                TableSeriesText.render(metrics.tableSeries(), tags: tags, into: &text)
                return AdminResponse(contentType: "text/plain; version=0.0.4", body: text)
            },
            "/healthz": { _ in AdminResponse(body: "ok\n") },
            "/readyz": { query in readiness.respond(strict: ReadinessEndpoint.isStrict(query)) },
            "/readyz/strict": { _ in readiness.respond(strict: true) },
            "/routes": { _ in
                .json(RoutesJSON.render(routes: routes.allCachedRoutes(), effective: effective, source: routeSourceName))
            },
        ]
        handlers.merge(extraAdmin) { _, extra in extra }
        self.admin = AdminServer(
            host: configuration.server.adminListen.host, port: configuration.server.adminListen.port, group: group,
            handlers: handlers, limits: configuration.adminLimits, logger: logger)
        self.upstreams = upstreams
        self.metrics = metrics
        self.drain = drain
    }
}
