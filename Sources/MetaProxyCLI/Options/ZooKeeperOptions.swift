import ArgumentParser
import Foundation
import MetaProxyApp
import PegasusWire

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

    @Option(
        name: .customLong("zk-auth-file"),
        help: "File holding the ZooKeeper credentials scheme:credential (else --zk-auth, else --config).")
    var zkAuthFile: String?

    @Option(
        name: .customLong("zk-timeout"),
        help: "Seconds to wait for a ZooKeeper session before failing (default 10).")
    var zkTimeout: Double?

    @Flag(name: .long, help: "Show the ZooKeeper C client's own log lines (at debug level).")
    var verbose = false

    /// The settings: flags over the config file's `zookeeper` section. Also routes the ZooKeeper C
    /// client's log lines for this command (quiet unless `--verbose`), as every ZooKeeper command
    /// calls this before connecting.
    /// - Parameter writers: `--failover-writer` of the commands that write failover state.
    func settings(writers: FailoverWriterOptions? = nil) throws -> ProxyConfiguration.ZooKeeperSettings {
        CommandLogging.configureZooKeeperLibrary(verbose: verbose)
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
        if let zkTimeout {
            guard zkTimeout.isFinite, zkTimeout > 0, zkTimeout <= 3600 else {
                throw ValidationError("--zk-timeout: expected seconds between 0 and 3600, got \(zkTimeout)")
            }
            settings.commandConnectTimeout = .milliseconds(Int64((zkTimeout * 1000).rounded(.up)))
        }
        if zkAuth != nil && zkAuthFile != nil {
            throw ValidationError("pass --zk-auth or --zk-auth-file, not both")
        }
        if let zkAuth {
            guard let credentials = ZooKeeperCredentials(parsing: zkAuth, source: "--zk-auth") else {
                throw ValidationError("--zk-auth: expected scheme:credential (digest:user:password; value not shown)")
            }
            settings.auth = credentials
        }
        if let zkAuthFile {
            settings.auth = try Self.credentials(file: zkAuthFile)
        }
        if let writers, !writers.failoverWriters.isEmpty {
            settings.failoverWriters = try writers.failoverWriters.map { text in
                guard let entry = ZooKeeperNodeACLs.writer(parsing: text) else {
                    let shown = text.split(separator: ":").prefix(2).joined(separator: ":")
                    throw ValidationError(
                        "--failover-writer \(shown):…: expected a ZooKeeper id scheme:id, "
                            + "e.g. digest:user:base64(sha1(user:password))")
                }
                return entry
            }
        }
        guard !settings.addresses.isEmpty else {
            throw ValidationError("no ZooKeeper address: pass --zk HOST:PORT,... or --config FILE")
        }
        return settings
    }

    /// The credentials in `file` (`--zk-auth-file`); errors name the option and the file, never the content.
    private static func credentials(file: String) throws -> ZooKeeperCredentials {
        let contents: String
        do {
            contents = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("--zk-auth-file: cannot read \"\(file)\"")
        }
        let source = "--zk-auth-file \"\(file)\""
        guard let credentials = ZooKeeperCredentials(
            parsing: contents.trimmingCharacters(in: .whitespacesAndNewlines), source: source)
        else {
            throw ValidationError(
                "\(source) does not hold scheme:credential, e.g. digest:user:password (value not shown)")
        }
        return credentials
    }
}

/// `--failover-writer`, on the commands that create failover state nodes (`failover init`, `switch`,
/// `back`, `pause`, `resume`).
struct FailoverWriterOptions: ParsableArguments {
    @Option(
        name: .customLong("failover-writer"),
        help: ArgumentHelp(
            "Extra ZooKeeper id given all permissions on the failover state nodes this command creates (repeatable).",
            discussion: """
                Format scheme:id, e.g. digest:user:base64(sha1(user:password)). Default: \
                zookeeper.failover_writers of --config.
                """,
            valueName: "scheme:id"))
    var failoverWriters: [String] = []
}
