import Logging
import Router
import ServiceLifecycle

/// The route store a configuration asks for, with the services that keep it current.
struct RouteSource {
    var store: any RouteStore
    var name: String
    var services: [any Service]
    var close: @Sendable () async -> Void = {}
}

enum RouteSourceFactory {
    static func make(configuration: ProxyConfiguration, logger: Logger) async throws -> RouteSource {
        switch configuration.routeSource {
        case .file(let path):
            let store = try FileRouteStore(file: path, logger: logger)
            return RouteSource(store: store, name: "file \(path)", services: [store])
        case .zookeeper(let settings):
            throw CLIError("ZooKeeper route source (\(settings.connectString)) is not available in this build yet")
        case nil:
            throw CLIError("no route source: set zookeeper.address or routes_file (or --zk / --routes)")
        }
    }
}
