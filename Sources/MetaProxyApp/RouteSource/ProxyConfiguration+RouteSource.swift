import FailoverControl
import Logging
import PegasusWire
import Router
import ZooKeeper

extension ProxyConfiguration {
    /// Where routes come from, and everything that differs between sources: the key that selects the
    /// source in the configuration, its name in `/routes` and in the startup summary, and how it is
    /// opened (``open(failover:logger:)``): the store the proxy routes by, the services that keep the
    /// store current, and the failover coordination the source supports (shared state and an elected
    /// decider in ZooKeeper, or local state in this instance).
    ///
    /// ## Adding a route source
    ///
    /// 1. In `Router`, a store type conforming to `RouteStore` (and to `Service` when something must
    ///    run to keep it current), like `FileRouteStore` and `ZooKeeperRouteStore`.
    /// 2. Here, a case with the source's settings, and its branch in every switch of this file (the
    ///    compiler lists them): the selecting key (``selectingKey``, and an entry in
    ///    ``selectingKeys``), the ``name``, the ``summary`` entries, and ``open(failover:logger:)``,
    ///    which builds the store, its services and the ``FailoverRuntime/Coordination``. `.zooKeeper`
    ///    shares failover state through the source's session and reads the catalog of protected
    ///    routes (those in the protected-table index) from the table nodes under its root, so it fits
    ///    a source whose routes live there;
    ///    any other source coordinates `.local` (one deciding instance, `failover.state_file`).
    /// 3. The configuration key that selects it: read in ``ProxyConfiguration/decode(yaml:file:)``
    ///    (a property or section of ``ProxyConfiguration``) and mapped to the case in
    ///    ``configuredRouteSources``. Validation (exactly one source) and its messages follow from
    ///    that list and ``selectingKeys``.
    /// 4. Optionally a `serve` flag for it: a ``ConfigOverrides`` value and its handling in
    ///    ``ProxyConfiguration/applying(overrides:)``, and the option in the CLI's `ServeOptions`.
    ///
    /// `meta-proxy serve` (``ProxyProcess``), ``FailoverRuntime`` and ``ProxyApplication`` take any
    /// opened source and need no change.
    public enum RouteSource: Sendable, Equatable {
        /// ZooKeeper, with these settings.
        case zookeeper(ZooKeeperSettings)
        /// A routes file (see ``RouteFile``), at this path.
        case file(String)

        /// The key that selects each source, and what the source is, in order of precedence: for
        /// validation messages.
        static let selectingKeys: [(key: String, meaning: String)] = [
            ("zookeeper.address", "read routes from ZooKeeper"),
            ("routes_file", "a routes file"),
        ]

        /// The configuration key that selects this source.
        var selectingKey: String {
            switch self {
            case .zookeeper: "zookeeper.address"
            case .file: "routes_file"
            }
        }

        /// How `/routes` and the logs name the source: `zookeeper <hosts><root>` or `file <path>`.
        public var name: String {
            switch self {
            case .zookeeper(let settings): "zookeeper \(settings.connectString)\(settings.root)"
            case .file(let path): "file \(path)"
            }
        }

        /// The source's part of ``ProxyConfiguration/summary``: `route_source` and the source's settings.
        /// Secrets are never included: `zookeeper.auth` shows only the scheme.
        var summary: [String: String] {
            switch self {
            case .zookeeper(let settings):
                [
                    "route_source": "zookeeper",
                    "zookeeper.address": settings.connectString,
                    "zookeeper.root": settings.root,
                    "zookeeper.timeout": "\(ProxyConfiguration.milliseconds(settings.sessionTimeout))ms",
                    "zookeeper.table_watcher_cache_capacity": "\(settings.tableWatcherCacheCapacity)",
                    "zookeeper.negative_cache_ttl": "\(ProxyConfiguration.milliseconds(settings.negativeCacheTTL))ms",
                    "zookeeper.negative_cache_capacity": "\(settings.negativeCacheCapacity)",
                    "zookeeper.auth": settings.auth.map(\.description) ?? "none",
                    // Writers by scheme and user only: a digest id's hash is derived from the password.
                    "zookeeper.failover_writers": settings.failoverWriters.map { writer in
                        "\(writer.scheme):\(writer.id.split(separator: ":").first.map(String.init) ?? "")"
                    }.joined(separator: ","),
                ]
            case .file(let path):
                ["route_source": "file", "routes_file": path]
            }
        }

        /// Opens the source: builds its store, and for ZooKeeper connects a client (waiting for the
        /// first connection; when ZooKeeper is unreachable, a warning is logged and the client keeps trying,
        /// queries failing fast until it connects). Nothing runs until the services do.
        /// - Parameters:
        ///   - failover: The `failover` section (the local state file when coordination is local).
        ///   - logger: The logger of the store and the client.
        /// - Throws: ``RouteError`` when a routes file cannot be read or is invalid.
        public func open(failover: FailoverSettings, logger: Logger) async throws -> OpenedRouteSource {
            switch self {
            case .file(let path):
                let store = try FileRouteStore(file: path, logger: logger)
                return OpenedRouteSource(
                    store: store, name: name, services: [store],
                    coordination: .local(stateFile: failover.stateFile))
            case .zookeeper(let settings):
                let client = ZooKeeperClient(
                    configuration: ZooKeeperConfiguration(
                        hosts: settings.addresses.map(\.description),
                        sessionTimeout: settings.sessionTimeout,
                        connectTimeout: .seconds(5),
                        auth: settings.auth?.clientAuth,
                        // The proxy creates only failover state nodes (election, effective routes, health).
                        defaultACL: ZooKeeperNodeACLs(settings).failoverState),
                    logger: logger)
                do {
                    try await client.connect()
                } catch {
                    // The client keeps trying; cached routes are empty, so queries fail fast until it connects.
                    logger.warning(
                        "ZooKeeper not reachable at startup; will keep trying",
                        metadata: ["zk.hosts": "\(settings.connectString)", "error": "\(error)"])
                }
                let store = ZooKeeperRouteStore(
                    client: client, root: settings.root, capacity: settings.tableWatcherCacheCapacity,
                    negativeCacheTTL: settings.negativeCacheTTL, negativeCacheCapacity: settings.negativeCacheCapacity,
                    logger: logger)
                return OpenedRouteSource(
                    store: store, name: name, services: [store, ZooKeeperSessionMetrics(client: client)],
                    coordination: .zooKeeper(client, root: settings.root),
                    credentialsSource: settings.auth?.source,
                    close: { await client.close() })
            }
        }
    }

    /// Every route source this configuration sets, in order of precedence (a valid configuration
    /// sets exactly one).
    var configuredRouteSources: [RouteSource] {
        var sources: [RouteSource] = []
        if !zookeeper.addresses.isEmpty { sources.append(.zookeeper(zookeeper)) }
        if let routesFile { sources.append(.file(routesFile)) }
        return sources
    }

    /// The route source: the first of those set (ZooKeeper when `zookeeper.address` is set, else the
    /// routes file), else `nil`.
    public var routeSource: RouteSource? {
        configuredRouteSources.first
    }

    /// Checks that exactly one route source is set.
    /// - Throws: ``ConfigError`` (``ConfigError/Code/noRouteSource`` or
    ///   ``ConfigError/Code/conflictingRouteSources``) naming ``file``.
    func validateRouteSource() throws(ConfigError) {
        let sources = configuredRouteSources
        if sources.isEmpty {
            let choices = RouteSource.selectingKeys.map { "\($0.key) (\($0.meaning))" }.joined(separator: " or ")
            throw ConfigError(code: .noRouteSource, file: file, reason: "no route source: set \(choices)")
        }
        if sources.count > 1 {
            throw ConfigError(
                code: .conflictingRouteSources,
                file: file,
                reason: "\(sources.map(\.selectingKey).joined(separator: " and ")) are "
                    + "\(sources.count == 2 ? "both" : "all") set: set exactly one route source"
            )
        }
    }
}
