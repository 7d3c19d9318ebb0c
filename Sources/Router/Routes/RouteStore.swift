import PegasusWire
import RouteModel

/// A source of table routes: ZooKeeper (lazily loaded, watched) or a routes file (loaded at start).
///
/// The proxy's hot path calls ``cachedRoute(for:)``; only on a miss does it call ``route(for:)``, which may
/// load. Admin endpoints use ``allCachedRoutes()`` and ``isReady``.
public protocol RouteStore: Sendable {
    /// The route of `table`, loading it from the source when it is not cached.
    /// - Throws: ``RouteError``: ``RouteError/Code/unknownTable`` when the source has no route for the table,
    ///   ``RouteError/Code/malformed`` when its route is invalid, ``RouteError/Code/sourceUnavailable`` when
    ///   the source cannot be read and the table is not cached.
    func route(for table: String) async throws(RouteError) -> Route

    /// The cached route of `table`, or `nil`; never loads. Synchronous and cheap, for the hot path.
    func cachedRoute(for table: String) -> Route?

    /// A new stream of route changes from now on. Each call gets its own stream, so there may be many
    /// subscribers; a stream finishes when the store stops.
    func routeChanges() -> AsyncStream<RouteChange>

    /// Every cached route, sorted by table name.
    func allCachedRoutes() -> [Route]

    /// Whether the store can serve routes (loaded / connected): what `/readyz` reports.
    var isReady: Bool { get }
}
