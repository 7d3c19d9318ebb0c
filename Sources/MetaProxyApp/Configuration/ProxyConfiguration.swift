import Foundation
import PegasusWire
import RouteModel
import Router

/// The proxy's configuration, read from a YAML file: a superset of the earlier Go meta-proxy's keys.
///
/// ```yaml
/// server:    { listen: 0.0.0.0:34601, admin_listen: 127.0.0.1:34602, max_connections: 10000,
///              max_frame_bytes: 1048576, idle_timeout: 600 }          # idle_timeout: seconds, 0 = never
/// zookeeper: { address: [h:p, ...], root: /pegasus, timeout: 1000,    # timeout: ms (session timeout)
///              table_watcher_cache_capacity: 1024, auth: "digest:user:password", auth_file: path }
/// routes_file: routes.yaml                                            # instead of zookeeper.address
/// meta:      { timeout: 3000, max_forward_hops: 3, coalesce: true,   # timeout: ms per upstream attempt
///              coalesce_window: 100 }                                 # ms a reply answers identical queries
/// failover:  { policies_dir: policies, history_size: 20 }
/// metric:    { type: prometheus, tags: [k=v, ...] }                   # type: prometheus | falcon
/// log:       { level: info }
/// ```
/// Every key is optional and has the default shown (documented on each property); `zookeeper.address`,
/// `zookeeper.auth`, `zookeeper.auth_file` and `routes_file` have none. Exactly one route source must be
/// set: `zookeeper.address` or `routes_file` (``RouteSource`` lists the steps to add one). Relative paths
/// (`routes_file`, `failover.policies_dir`, `zookeeper.auth_file`) are relative to the configuration file's
/// directory. Unknown keys are errors.
public struct ProxyConfiguration: Sendable, Equatable {
    /// `server`: listeners and connection limits.
    public var server: ServerSettings
    /// `zookeeper`: the ZooKeeper route source.
    public var zookeeper: ZooKeeperSettings
    /// `routes_file`: the embedded route source (a path, resolved against the configuration file's
    /// directory). Default: none.
    public var routesFile: String?
    /// `meta`: MetaServer relaying.
    public var meta: MetaSettings
    /// `failover`: failover policies.
    public var failover: FailoverSettings
    /// `metric`: metrics export.
    public var metric: MetricSettings
    /// `log`: logging.
    public var log: LogSettings
    /// The file this configuration was loaded from, if any (named in validation errors).
    public var file: String?

    /// The configuration with every default and no route source (so it does not validate as is).
    public init() {
        server = ServerSettings()
        zookeeper = ZooKeeperSettings()
        routesFile = nil
        meta = MetaSettings()
        failover = FailoverSettings()
        metric = MetricSettings()
        log = LogSettings()
        file = nil
    }

    /// The top-level keys.
    static let keys: Set<String> = ["server", "zookeeper", "routes_file", "meta", "failover", "metric", "log"]

    /// Reads, overrides and validates a configuration file.
    /// - Parameters:
    ///   - file: The YAML file's path.
    ///   - overrides: Command-line values that replace the file's (applied before validation).
    /// - Throws: ``ConfigError`` naming the file, the key path and the problem.
    public static func load(file: String, overrides: ConfigOverrides = ConfigOverrides()) throws(ConfigError) -> Self {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError(
                code: .unreadableFile,
                file: file,
                reason: "cannot read the file (\(error.localizedDescription))"
            )
        }
        let configuration = try decode(yaml: text, file: file).applying(overrides: overrides)
        try configuration.validate()
        return configuration
    }

    /// Reads a configuration from YAML text, checking each key's type and range but not the whole
    /// (see ``validate()``).
    /// - Parameters:
    ///   - text: The YAML text; an empty document gives the defaults.
    ///   - file: The file the text comes from: named in errors, and its directory is the base of relative paths.
    /// - Throws: ``ConfigError`` naming `file`, the key path and the problem.
    public static func decode(yaml text: String, file: String) throws(ConfigError) -> Self {
        let baseDirectory = (file as NSString).deletingLastPathComponent
        do throws(DocumentError) {
            var configuration = ProxyConfiguration()
            configuration.file = file
            guard let document = try DocumentValue.parseYAML(text) else {
                configuration.failover = try FailoverSettings(document: nil, baseDirectory: baseDirectory)
                return configuration
            }
            let root = try document.mapping(knownKeys: keys)
            if let value = root["server"] { configuration.server = try ServerSettings(document: value) }
            if let value = root["zookeeper"] {
                configuration.zookeeper = try ZooKeeperSettings(document: value, baseDirectory: baseDirectory)
            }
            if let value = root["routes_file"] {
                configuration.routesFile = resolve(try value.string(), relativeTo: baseDirectory)
            }
            if let value = root["meta"] { configuration.meta = try MetaSettings(document: value) }
            configuration.failover = try FailoverSettings(document: root["failover"], baseDirectory: baseDirectory)
            if let value = root["metric"] { configuration.metric = try MetricSettings(document: value) }
            if let value = root["log"] { configuration.log = try LogSettings(document: value) }
            return configuration
        } catch {
            throw ConfigError(error, file: file)
        }
    }

    /// This configuration with the command-line values of `overrides` in place of the file's.
    ///
    /// A route source given on the command line replaces the file's route source of the other kind, so
    /// `--zk-hosts` over a file with `routes_file` means ZooKeeper.
    public func applying(overrides: ConfigOverrides) -> Self {
        var result = self
        if let listen = overrides.listen { result.server.listen = listen }
        if let adminListen = overrides.adminListen { result.server.adminListen = adminListen }
        if let threads = overrides.threads { result.server.threads = threads == 0 ? nil : threads }
        if let hosts = overrides.zookeeperHosts {
            result.zookeeper.addresses = hosts
            if overrides.routesFile == nil { result.routesFile = nil }
        }
        if let root = overrides.zookeeperRoot { result.zookeeper.root = root }
        if let routesFile = overrides.routesFile {
            result.routesFile = routesFile
            if overrides.zookeeperHosts == nil { result.zookeeper.addresses = [] }
        }
        if let level = overrides.logLevel { result.log.level = level }
        if let format = overrides.logFormat { result.log.format = format }
        return result
    }

    /// Checks what single keys cannot: exactly one route source, a well-formed ZooKeeper root, distinct
    /// listeners.
    /// - Throws: ``ConfigError`` naming ``file`` and the key path.
    public func validate() throws(ConfigError) {
        try validateRouteSource()
        let root = zookeeper.root
        guard Self.isValidZooKeeperRoot(root) else {
            throw ConfigError(
                code: .invalidValue,
                file: file,
                keyPath: "zookeeper.root",
                reason: "expected an absolute ZooKeeper path like /pegasus, got \(root.diagnosticQuoted)"
            )
        }
        try validatePeerRoots()
        if server.listen == server.adminListen, server.listen.port != 0 {
            throw ConfigError(
                code: .invalidValue,
                file: file,
                keyPath: "server.admin_listen",
                reason: "same address as server.listen (\(server.listen))"
            )
        }
    }

    /// Whether `root` is an absolute ZooKeeper path without `//`, a trailing `/` (except `/` itself)
    /// or control characters.
    static func isValidZooKeeperRoot(_ root: String) -> Bool {
        root.hasPrefix("/") && !root.contains("//") && (root == "/" || !root.hasSuffix("/"))
            && !root.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `failover.peer_roots` needs ZooKeeper and must not name `zookeeper.root`.
    private func validatePeerRoots() throws(ConfigError) {
        guard !failover.peerRoots.isEmpty else { return }
        if zookeeper.addresses.isEmpty {
            throw ConfigError(
                code: .invalidValue, file: file, keyPath: "failover.peer_roots",
                reason: "needs zookeeper.address (observers are registered in ZooKeeper)")
        }
        for (index, peer) in failover.peerRoots.enumerated() where peer == zookeeper.root {
            throw ConfigError(
                code: .invalidValue, file: file, keyPath: "failover.peer_roots[\(index)]",
                reason: "\(peer.diagnosticQuoted) is zookeeper.root itself")
        }
    }

    /// Things that are accepted but probably not what the user wants, to log at startup.
    public var warnings: [String] {
        var warnings: [String] = []
        if metric.kind == .falcon {
            warnings.append(
                "metric.type: falcon is accepted for compatibility, but only prometheus metrics are exported"
            )
        }
        return warnings
    }

    /// `path` if absolute, else `path` inside `directory` (which may be empty: the working directory).
    static func resolve(_ path: String, relativeTo directory: String) -> String {
        guard !path.hasPrefix("/"), !directory.isEmpty else { return path }
        return (directory as NSString).appendingPathComponent(path)
    }
}
