import RouteModel
import Router
import Synchronization

/// A route store over routes the test gives (no source to load from); ``set(_:)`` changes one and
/// publishes the change like a real store.
public final class FixedRouteStore: RouteStore {
    private let routes: Mutex<[String: Route]>
    private let changes = Broadcaster<RouteChange>()
    private let changeGeneration = ChangeGeneration()

    /// Creates a store holding `routes`.
    public init(_ routes: [Route]) {
        self.routes = Mutex(Dictionary(uniqueKeysWithValues: routes.map { ($0.table, $0) }))
    }

    /// Sets (or replaces) the route of `route.table` and publishes it as updated.
    public func set(_ route: Route) {
        routes.withLock { $0[route.table] = route }
        changeGeneration.advance()
        changes.publish(.updated(route))
    }

    /// Removes the route of `table` and publishes the removal.
    public func remove(_ table: String) {
        routes.withLock { _ = $0.removeValue(forKey: table) }
        changeGeneration.advance()
        changes.publish(.removed(table: table))
    }

    /// Advances on every ``set(_:)`` and ``remove(_:)``.
    public var generation: UInt64 { changeGeneration.current }

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
