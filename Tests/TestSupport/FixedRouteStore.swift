import RouteModel
import Router
import Synchronization

/// A route store with fixed routes (no source to load from).
public final class FixedRouteStore: RouteStore {
    private let routes: Mutex<[String: Route]>
    private let changes = Broadcaster<RouteChange>()

    /// Creates a store holding `routes`.
    public init(_ routes: [Route]) {
        self.routes = Mutex(Dictionary(uniqueKeysWithValues: routes.map { ($0.table, $0) }))
    }

    public func route(for table: String) async throws(RouteError) -> Route {
        guard let route = cachedRoute(for: table) else {
            throw RouteError(code: .unknownTable, table: table, source: "fixed", reason: "no route")
        }
        return route
    }

    public func cachedRoute(for table: String) -> Route? {
        routes.withLock { $0[table] }
    }

    public func routeChanges() -> AsyncStream<RouteChange> {
        changes.subscribe()
    }

    public func allCachedRoutes() -> [Route] {
        routes.withLock { Array($0.values) }.sorted { $0.table < $1.table }
    }

    public var isReady: Bool { true }
}
