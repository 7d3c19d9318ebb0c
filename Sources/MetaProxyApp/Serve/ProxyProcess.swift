import AdminHTTP
import FailoverControl
import FailoverPolicy
import Logging
import Metrics
import NIOCore
import NIOPosix
import PegasusWire
import Prometheus
import RouteModel
import Router
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `meta-proxy serve` does: bootstraps logging and metrics for the process, opens the route
/// source, builds the failover runtime and the instance (``ProxyApplication``), binds both listeners,
/// and runs them in a service group until SIGTERM or SIGINT.
///
/// Signals: SIGTERM and SIGINT drain and stop; SIGHUP reloads (``SignalReloader``) and never stops;
/// SIGPIPE is ignored.
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
    /// - Parameters:
    ///   - configuration: The validated configuration.
    ///   - reloadConfiguration: Re-reads the configuration file (with the command line's overrides) on
    ///     SIGHUP; `nil` when there is no file.
    /// - Returns: How the run ended.
    /// - Throws: ``StartupError`` for what fails before the services start (no route source, an
    ///   unreadable or invalid routes file, invalid policies, a listener that cannot bind); its
    ///   description is one line naming the address or file and the operating-system error.
    public static func run(
        configuration: ProxyConfiguration,
        reloadConfiguration: (@Sendable () throws -> ProxyConfiguration)? = nil
    ) async throws -> Outcome {
        // A write to a closed socket or pipe (stderr included) is an error to handle, not a reason to die.
        signal(SIGPIPE, SIG_IGN)
        // Trapped from here on, for the whole run: SIGHUP's default action would kill the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let logLevel = ReloadableLogLevel(configuration.log.level)
        let metricsExport = bootstrap(configuration, logLevel: logLevel)
        let build = BuildInfo.current
        BuildInfoMetric.record(build)
        let processMetrics = ProcessMetrics()
        let logger = Logger(label: "meta-proxy")
        for warning in configuration.warnings { logger.warning("Configuration warning", metadata: ["config.warning": "\(warning)"]) }
        var startMetadata = configuration.summary.reduce(into: Logger.Metadata()) { $0["config.\($1.key)"] = "\($1.value)" }
        startMetadata["metaproxy.version"] = "\(build.version)"
        startMetadata["metaproxy.commit"] = "\(build.commit)"
        logger.info("Starting meta-proxy \(build.version)", metadata: startMetadata)

        guard let routeSource = configuration.routeSource else {
            throw StartupError(.noRouteSource, "no route source: set zookeeper.address or routes_file (or --zk / --routes)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.server.effectiveThreads)
        let source: OpenedRouteSource
        let failover: FailoverRuntime
        do {
            source = try await routeSource.open(failover: configuration.failover, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            throw Self.startupError(error)
        }
        do {
            failover = try FailoverRuntime(configuration: configuration, routeSource: source, group: group, logger: logger)
        } catch {
            await source.close()
            try? await group.shutdownGracefully()
            throw Self.startupError(error)
        }
        let app = ProxyApplication(
            configuration: configuration, group: group, routes: source.store, routeSourceName: source.name,
            effective: failover.stateStore, metricsText: {
                processMetrics.update()
                return metricsExport.emitToString()
            },
            extraAdmin: failover.adminHandlers, logger: logger)
        // Bound before any service starts: a port in use or an address not on this host is one clear
        // error, not a failing service among running ones.
        do {
            try await bindListeners(app, configuration)
        } catch {
            await app.upstreams.close()
            await failover.shutdown()
            await source.close()
            try? await group.shutdownGracefully()
            throw error
        }

        let reloader = SignalReloader(
            configuration: configuration, loadConfiguration: reloadConfiguration, logLevel: logLevel,
            routes: source.store, policies: failover.policies, logger: logger)
        // Shut down in reverse order: the drain delay first (/readyz 503, everything still serving),
        // then the admin listener, then the proxy's drain.
        let drainDelay = configuration.server.drainDelay
        let services: [any Service] =
            source.services + failover.services + [
                app.proxy, app.admin, SignalReloadService(signals: hangups, reloader: reloader),
                DrainDelayService(state: app.drain, delay: drainDelay, logger: logger),
            ]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A bound on shutdown: `server.drain_delay`, then the proxy drains for up to 5 s; a service
        // stuck past this is cancelled, so SIGTERM always ends the process.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(15) + drainDelay
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        do {
            try await serviceGroup.run()
        } catch {
            logger.error("meta-proxy stopped with an error", metadata: ["error": "\(error)"])
            await app.upstreams.close()
            await failover.shutdown()
            await source.close()
            try? await group.shutdownGracefully()
            withExtendedLifetime(hangups) {}
            return .failed
        }
        await app.upstreams.close()
        await failover.shutdown()
        await source.close()
        try? await group.shutdownGracefully()
        logger.info("meta-proxy stopped")
        // The trap stays installed until the very end: a SIGHUP during shutdown does not kill.
        withExtendedLifetime(hangups) {}
        return .stopped
    }

    /// Binds the client listener, then the admin listener.
    /// - Throws: ``StartupError/Code/cannotListen`` naming the address, the key and the OS error.
    private static func bindListeners(_ app: ProxyApplication, _ configuration: ProxyConfiguration) async throws {
        do {
            try await app.proxy.bind()
        } catch {
            throw StartupError.cannotListen(configuration.server.listen.description, key: "server.listen", error: error)
        }
        do {
            try await app.admin.bind()
        } catch {
            throw StartupError.cannotListen(
                configuration.server.adminListen.description, key: "server.admin_listen", error: error)
        }
    }

    /// The one-line startup error for what opening the route source or the failover runtime threw.
    private static func startupError(_ error: any Error) -> any Error {
        switch error {
        case let error as RouteError: StartupError.routeSource(error)
        case let error as PolicyError: StartupError.policies(error)
        default: error
        }
    }

    /// Logs to stderr at `log.level` (changeable by a SIGHUP reload through `logLevel`) in `log.format`;
    /// exports metrics to a Prometheus registry (rendered by `/metrics`) with their `# HELP` lines
    /// (``MetricCatalog``), with `metric.tags` on every metric.
    private static func bootstrap(_ configuration: ProxyConfiguration, logLevel: ReloadableLogLevel) -> HelpfulPrometheusFactory {
        let format = configuration.log.format
        LoggingSystem.bootstrap { label in
            logLevel.standardErrorHandler(label: label, format: format)
        }
        let registry = PrometheusCollectorRegistry()
        let prometheus = HelpfulPrometheusFactory(registry: registry)
        let tags = configuration.metric.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        MetricsSystem.bootstrap(tags.isEmpty ? prometheus : TaggingMetricsFactory(base: prometheus, tags: tags))
        return prometheus
    }
}
