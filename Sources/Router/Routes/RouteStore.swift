import PegasusWire
import RouteModel

/// A source of table routes: ZooKeeper (lazily loaded, watched) or a routes file (loaded at start).
///
/// The proxy's hot path reads ``generation`` and, when it moved since a table was resolved on the
/// event loop, calls ``cachedRoute(for:)``; only on a miss does it call ``route(for:)``, which may
/// load. Admin endpoints use ``allCachedRoutes()`` and ``isReady``.
public protocol RouteStore: Sendable {
    /// The route of `table`, loading it from the source when it is not cached.
    /// - Throws: ``RouteError``: ``RouteError/Code/unknownTable`` when the source has no route for the table,
    ///   ``RouteError/Code/malformed`` when its route is invalid, ``RouteError/Code/sourceUnavailable`` when
    ///   the source cannot be read and the table is not cached.
    func route(for table: String) async throws(RouteError) -> Route

    /// The cached route of `table`, or `nil`; never loads. Synchronous and cheap, for the hot path.
    func cachedRoute(for table: String) -> Route?

    /// A counter that advances (after the change is visible) whenever ``cachedRoute(for:)`` may answer
    /// differently for a table it already answered: a route changed or was removed, or a table left
    /// the cache (evicted, forgotten, cleared). Caching a brand-new table need not advance it. The
    /// proxy keeps each table's resolution per event loop and resolves it again only when this (or
    /// ``EffectiveRouteSource/generation``) moved (``ChangeGeneration``). Cheap: one atomic load.
    var generation: UInt64 { get }

    /// A new stream of route changes from now on. Each call gets its own stream, so there may be many
    /// subscribers; a stream finishes when the store stops.
    func routeChanges() -> AsyncStream<RouteChange>

    /// Every cached route, sorted by table name.
    func allCachedRoutes() -> [Route]

    /// Whether the store can serve routes (loaded / connected): what `/readyz` reports.
    var isReady: Bool { get }

    /// Whether the store has loaded, and whether its source is reachable now: what `/readyz` reports.
    /// The default derives it from ``isReady`` (`true` → ``RouteSourceReadiness/current``).
    var readiness: RouteSourceReadiness { get }
}

extension RouteStore {
    public var readiness: RouteSourceReadiness {
        isReady ? .current : .notLoaded(reason: "route source not ready")
    }
}

/// How far a route store can answer: what `/readyz` reports.
public enum RouteSourceReadiness: Sendable, Equatable {
    /// The source was never loaded (never connected): no table can be answered.
    case notLoaded(reason: String)
    /// Loaded and reachable now: routes are current.
    case current
    /// Loaded before, unreachable now: cached routes keep serving (possibly stale), uncached tables fail.
    case degraded(reason: String)

    /// Whether the instance can answer from its routes (``current`` or ``degraded``).
    public var canServe: Bool {
        switch self {
        case .current, .degraded: true
        case .notLoaded: false
        }
    }
}
