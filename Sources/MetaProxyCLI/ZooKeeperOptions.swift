import ArgumentParser
import Logging
import Router
import ZooKeeper

/// Where the `route` and `failover` commands find ZooKeeper: flags, or the `zookeeper` section of
/// a config file.
struct ZooKeeperOptions: ParsableArguments {
    @Option(name: .long, help: "ZooKeeper servers host:port,... (else zookeeper.address of --config).")
    var zk: String?

    @Option(name: .customLong("zk-root"), help: "Root of the table nodes (else zookeeper.root of --config, else /pegasus).")
    var zkRoot: String?

    @Option(name: .long, help: "meta-proxy config file to read the zookeeper section from.")
    var config: String?

    @Option(name: .customLong("zk-auth"), help: "ZooKeeper credentials scheme:credential, e.g. digest:user:password.")
    var zkAuth: String?

    /// The settings: flags over the config file's `zookeeper` section.
    func settings() throws -> ProxyConfiguration.ZooKeeperSettings {
        var settings = ProxyConfiguration.ZooKeeperSettings()
        if let config {
            let loaded = try ProxyConfiguration.load(
                file: config, overrides: ConfigOverrides(zookeeperHosts: zk == nil ? nil : []))
            settings = loaded.zookeeper
        }
        if let zk {
            do {
                settings.addresses = try zk.split(separator: ",").map { try Endpoint(parsing: String($0)) }
            } catch {
                throw ValidationError("--zk: \(error)")
            }
        }
        if let zkRoot { settings.root = zkRoot }
        if let zkAuth {
            guard let credentials = ZooKeeperCredentials(parsing: zkAuth) else {
                throw ValidationError("--zk-auth: expected scheme:credential (digest:user:password)")
            }
            settings.auth = credentials
        }
        guard !settings.addresses.isEmpty else {
            throw ValidationError("no ZooKeeper address: pass --zk HOST:PORT,... or --config FILE")
        }
        return settings
    }

    /// A connected client (the caller closes it).
    func connect(logger: Logger) async throws -> (ZooKeeperClient, ProxyConfiguration.ZooKeeperSettings) {
        let settings = try settings()
        let client = ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: settings.addresses.map(\.description),
                sessionTimeout: max(settings.sessionTimeout, .seconds(4)),
                connectTimeout: .seconds(10),
                auth: settings.auth?.clientAuth,
                defaultACL: settings.auth == nil ? .openUnsafe : .readOnlyWorldCreatorAll),
            logger: logger)
        do {
            try await client.connect()
        } catch {
            await client.close()
            throw CLIError("cannot connect to ZooKeeper \(settings.connectString): \(error)")
        }
        return (client, settings)
    }
}

/// A logger for CLI commands: warnings and errors only, on stderr.
func cliLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { label in StreamLogHandler.standardError(label: label) }
    logger.logLevel = .warning
    return logger
}
