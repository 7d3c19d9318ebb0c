import FailoverControl
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Router
import ServiceLifecycle
import UnixSignals

/// What `meta-proxy serve` does: bootstraps logging and metrics for the process, opens the route
/// source, builds the failover runtime and the instance (``ProxyApplication``), and runs them in a
/// service group until SIGTERM or SIGINT.
public enum ProxyProcess {
    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// Stopped by a signal, after a graceful shutdown.
        case stopped
        /// A service failed (logged); the others were stopped.
        case failed
    }

    /// Runs the proxy until a signal stops it or a service fails.
    ///
    /// Bootstraps the process-wide `LoggingSystem` and `MetricsSystem`, so it runs once per process.
    /// - Parameter configuration: The validated configuration.
    /// - Returns: How the run ended.
    /// - Throws: What fails before the services start: ``CommandError`` without a route source,
    ///   `RouteError` for an unreadable routes file, ``PolicyError`` for an invalid policy file.
    public static func run(configuration: ProxyConfiguration) async throws -> Outcome {
        let registry = bootstrap(configuration)
        let logger = Logger(label: "meta-proxy")
        for warning in configuration.warnings { logger.warning("Configuration warning", metadata: ["config.warning": "\(warning)"]) }
        logger.info(
            "Starting meta-proxy",
            metadata: configuration.summary.reduce(into: Logger.Metadata()) { $0["config.\($1.key)"] = "\($1.value)" })

        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.server.effectiveThreads)
        guard let routeSource = configuration.routeSource else {
            throw CommandError("no route source: set zookeeper.address or routes_file (or --zk / --routes)")
        }
        let source = try await routeSource.open(failover: configuration.failover, logger: logger)
        let failover = try FailoverRuntime(configuration: configuration, routeSource: source, group: group, logger: logger)
        let app = ProxyApplication(
            configuration: configuration, group: group, routes: source.store, routeSourceName: source.name,
            effective: failover.stateStore, metricsText: { registry.emitToString() },
            extraAdmin: failover.adminHandlers, logger: logger)
        let services: [any Service] = source.services + failover.services + [app.proxy, app.admin]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A bound on shutdown: the proxy drains for up to 5 s; a service stuck past this is cancelled,
        // so SIGTERM always ends the process.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(15)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        do {
            try await serviceGroup.run()
        } catch {
            logger.error("meta-proxy stopped with an error", metadata: ["error": "\(error)"])
            await app.upstreams.close()
            await failover.shutdown()
            try? await group.shutdownGracefully()
            return .failed
        }
        await app.upstreams.close()
        await failover.shutdown()
        await source.close()
        try? await group.shutdownGracefully()
        logger.info("meta-proxy stopped")
        return .stopped
    }

    /// Logs to stderr at `log.level`; exports metrics to a Prometheus registry (rendered by `/metrics`),
    /// with `metric.tags` on every metric.
    private static func bootstrap(_ configuration: ProxyConfiguration) -> PrometheusCollectorRegistry {
        let level = configuration.log.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        let prometheus = PrometheusMetricsFactory(registry: registry)
        let tags = configuration.metric.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        MetricsSystem.bootstrap(tags.isEmpty ? prometheus : TaggingMetricsFactory(base: prometheus, tags: tags))
        return registry
    }
}
