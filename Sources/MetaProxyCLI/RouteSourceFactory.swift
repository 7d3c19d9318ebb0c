import FailoverControl
import Logging
import MetaProxyApp
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import ZooKeeper

/// The route store a configuration asks for, with the services that keep it current.
struct RouteSource {
    var store: any RouteStore
    var name: String
    var services: [any Service]
    /// The ZooKeeper client, when routes come from ZooKeeper.
    var client: ZooKeeperClient? = nil
    var close: @Sendable () async -> Void = {}
}

enum RouteSourceFactory {
    static func make(configuration: ProxyConfiguration, logger: Logger) async throws -> RouteSource {
        switch configuration.routeSource {
        case .file(let path):
            let store = try FileRouteStore(file: path, logger: logger)
            return RouteSource(store: store, name: "file \(path)", services: [store])
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
                client: client, root: settings.root, capacity: settings.tableWatcherCacheCapacity, logger: logger)
            return RouteSource(
                store: store, name: "zookeeper \(settings.connectString)\(settings.root)", services: [store],
                client: client, close: { await client.close() })
        case nil:
            throw CLIError("no route source: set zookeeper.address or routes_file (or --zk / --routes)")
        }
    }
}
