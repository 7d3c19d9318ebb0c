import ArgumentParser
import Logging
import MetaProxyApp
import PegasusWire

/// The options of `serve`; each overrides the configuration file.
struct ServeOptions: ParsableArguments, Sendable {
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

    @Option(name: .customLong("log-format"), help: "text or json: one JSON object per line (log.format).")
    var logFormat: LogFormat?

    /// The configuration file (or the defaults) with these options applied, validated.
    func loadConfiguration() throws -> ProxyConfiguration {
        if let threads, !(0...1024).contains(threads) {
            throw ValidationError("--threads: expected 0 to 1024, got \(threads)")
        }
        var overrides = ConfigOverrides(zookeeperRoot: zkRoot, routesFile: routes, logLevel: logLevel, threads: threads)
        overrides.logFormat = logFormat
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

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
