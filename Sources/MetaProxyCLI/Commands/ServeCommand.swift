import ArgumentParser
import FailoverControl
import Logging
import MetaProxyApp
import Metrics
import NIOCore
import NIOPosix
import PegasusWire
import Prometheus
import RouteModel
import Router
import ServiceLifecycle
import UnixSignals

/// `meta-proxy serve`: runs the proxy until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Pegasus clients: route QueryConfig RPCs by table to their (effective) cluster."
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let level = configuration.log.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "meta-proxy")
        let registry = PrometheusCollectorRegistry()
        let prometheus = PrometheusMetricsFactory(registry: registry)
        let tags = configuration.metric.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        MetricsSystem.bootstrap(tags.isEmpty ? prometheus : TaggingMetricsFactory(base: prometheus, tags: tags))

        for warning in configuration.warnings { logger.warning("Configuration warning", metadata: ["config.warning": "\(warning)"]) }
        logger.info(
            "Starting meta-proxy",
            metadata: configuration.summary.reduce(into: Logger.Metadata()) { $0["config.\($1.key)"] = "\($1.value)" })

        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.server.effectiveThreads)
        let source = try await RouteSourceFactory.make(configuration: configuration, logger: logger)
        let failover = try FailoverRuntime(
            configuration: configuration, routes: source.store, zooKeeper: source.client, group: group, logger: logger)
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
            throw ExitCode.failure
        }
        await app.upstreams.close()
        await failover.shutdown()
        await source.close()
        try? await group.shutdownGracefully()
        logger.info("meta-proxy stopped")
    }
}

/// The options of `serve`; each overrides the configuration file.
struct ServeOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (a superset of the Go meta-proxy's).")
    var config: String?

    @Option(name: .long, help: "Client listener host:port (server.listen).")
    var listen: String?

    @Option(name: .customLong("admin-listen"), help: "Admin HTTP host:port (server.admin_listen).")
    var adminListen: String?

    @Option(name: .long, help: "ZooKeeper servers host:port,... (zookeeper.address).")
    var zk: String?

    @Option(name: .customLong("zk-root"), help: "ZooKeeper root of the table nodes (zookeeper.root).")
    var zkRoot: String?

    @Option(name: .long, help: "Routes file instead of ZooKeeper (routes_file).")
    var routes: String?

    @Option(name: .long, help: "Failover policy directory (failover.policies_dir; default ./policies, missing = manual only).")
    var policies: String?

    @Option(name: .long, help: "Event-loop threads; 0 = one per CPU this process may run on (server.threads).")
    var threads: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (log.level).")
    var logLevel: Logger.Level?

    /// The configuration file (or the defaults) with these options applied, validated.
    func loadConfiguration() throws -> ProxyConfiguration {
        if let threads, !(0...1024).contains(threads) {
            throw ValidationError("--threads: expected 0 to 1024, got \(threads)")
        }
        var overrides = ConfigOverrides(zookeeperRoot: zkRoot, routesFile: routes, logLevel: logLevel, threads: threads)
        do {
            if let listen { overrides.listen = try Endpoint(parsing: listen, allowsPortZero: true) }
            if let adminListen { overrides.adminListen = try Endpoint(parsing: adminListen, allowsPortZero: true) }
            if let zk {
                overrides.zookeeperHosts = try zk.split(separator: ",").map { try Endpoint(parsing: String($0)) }
            }
        } catch {
            throw ValidationError("\(error)")
        }
        var configuration: ProxyConfiguration
        if let config {
            configuration = try ProxyConfiguration.load(file: config, overrides: overrides)
        } else {
            configuration = ProxyConfiguration().applying(overrides: overrides)
            try configuration.validate()
        }
        if let policies { configuration.failover.policiesDirectory = policies }
        return configuration
    }
}
