import Logging
import PegasusWire
import RouteModel
import ServiceLifecycle
import Synchronization
import ZooKeeper

/// Table routes from ZooKeeper: node `<root>/<table>` holds the table's route as JSON (see
/// ``RouteDocument``).
///
/// Lazy and watched: a table is read with a one-shot data watch on first use, cached, and the watch
/// re-armed on every fire — data changed → read again, node deleted → evicted (the next query is
/// "unknown table"). A table whose node does not exist is cached as absent with an `exists` watch,
/// so a burst of queries for an unknown table costs one read, and creating the node is noticed.
/// The cache is a bounded LRU (`zookeeper.table_watcher_cache_capacity`); the watch of an evicted
/// table is ignored when it fires. Concurrent first lookups of one table make one read.
///
/// When the session expires, every cached table is read and watched again on the new session.
/// While ZooKeeper is unreachable, cached routes keep serving and uncached tables fail fast with
/// ``RouteError/Code/sourceUnavailable``.
///
/// A `Service`: ``run()`` processes watch events and session changes until shutdown.
public final class ZooKeeperRouteStore: RouteStore, Service {
    private enum Entry {
        case route(Route, token: UInt64)
        case absent(token: UInt64)
        case malformed(RouteError, token: UInt64)

        var token: UInt64 {
            switch self {
            case .route(_, let token), .absent(let token), .malformed(_, let token): token
            }
        }

        var route: Route? {
            if case .route(let route, _) = self { return route }
            return nil
        }
    }

    private struct State {
        var cache: LRUCache<String, Entry>
        var nextToken: UInt64 = 0
        /// Cached tables whose re-read failed (their watch is spent): retried every `retryInterval`.
        var stale: Set<String> = []
    }

    private enum Event: Sendable {
        case watch(table: String, token: UInt64, WatchEvent)
    }

    private let client: ZooKeeperClient
    /// The root path, without a trailing slash.
    public let root: String
    private let logger: Logger
    private let state: Mutex<State>
    /// First lookups of uncached tables (one read for all concurrent callers).
    private let loads = SingleFlight<String, Entry, RouteError>()
    /// Re-reads of cached tables (after a watch fired, a session change or a failed re-read). Kept
    /// apart from `loads` so that a re-read never joins a lookup that answered from the cache.
    private let refreshes = SingleFlight<String, Entry, RouteError>()
    /// ZooKeeper requests made to read routes (`get` and `exists`), for tests.
    private let requestCount = Atomic<Int>(0)
    private let changes = Broadcaster<RouteChange>()
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let retryInterval: Duration

    /// Creates a store over a client (connected by the caller, or connecting).
    /// - Parameters:
    ///   - client: the ZooKeeper client; the store does not close it.
    ///   - root: the node holding one child per table, e.g. `/pegasus`.
    ///   - capacity: how many tables are cached and watched at most.
    ///   - retryInterval: how often a table whose re-read failed is read again.
    public init(
        client: ZooKeeperClient, root: String, capacity: Int = 1024, retryInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.client = client
        self.retryInterval = retryInterval
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        var logger = logger
        logger[metadataKey: RouteLoggingKeys.zkRoot] = "\(self.root)"
        self.logger = logger
        self.state = Mutex(State(cache: LRUCache(capacity: max(1, capacity))))
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// The node path of `table`.
    public func path(of table: String) -> String {
        root == "/" ? "/\(table)" : "\(root)/\(table)"
    }

    // MARK: - RouteStore

    public func route(for table: String) async throws(RouteError) -> Route {
        if let entry = state.withLock({ $0.cache.value(forKey: table) }) {
            return try Self.route(of: entry, table: table, path: path(of: table))
        }
        guard Self.isValidTableName(table) else {
            throw RouteError(code: .unknownTable, table: table, source: root, reason: "not a valid table name")
        }
        guard client.sessionState == .connected else {
            throw RouteError(
                code: .sourceUnavailable, table: table, source: path(of: table),
                reason: "ZooKeeper is not connected (\(client.sessionState))")
        }
        let entry = try await loads.run(key: table) { () async throws(RouteError) -> Entry in
            // A load for this table may have finished between the cache check above and here.
            if let cached = state.withLock({ $0.cache.peekValue(forKey: table) }) { return cached }
            return try await load(table, previous: nil)
        }
        return try Self.route(of: entry, table: table, path: path(of: table))
    }

    /// How many ZooKeeper requests (`get`, `exists`) the store has made to read routes.
    var zooKeeperRequests: Int { requestCount.load(ordering: .relaxed) }

    public func cachedRoute(for table: String) -> Route? {
        state.withLock { $0.cache.peekValue(forKey: table)?.route }
    }

    public func routeChanges() -> AsyncStream<RouteChange> { changes.subscribe() }

    public func allCachedRoutes() -> [Route] {
        state.withLock { state in state.cache.keys.compactMap { state.cache.peekValue(forKey: $0)?.route } }
            .sorted { $0.table < $1.table }
    }

    public var isReady: Bool { client.sessionState == .connected }

    /// ``RouteSourceReadiness/current`` while the session is connected; ``RouteSourceReadiness/degraded``
    /// once a session was connected and ZooKeeper is unreachable now (cached routes keep serving);
    /// ``RouteSourceReadiness/notLoaded`` before the first session.
    public var readiness: RouteSourceReadiness {
        let session = client.sessionState
        if session == .connected { return .current }
        guard client.sessionID != nil else {
            return .notLoaded(reason: "ZooKeeper not connected yet (\(session))")
        }
        let cached = state.withLock { $0.cache.count }
        return .degraded(reason: "zookeeper unreachable (\(session)); serving \(cached) cached table(s), uncached tables fail")
    }

    // MARK: - Service

    /// Follows watch events and session changes until graceful shutdown or cancellation.
    public func run() async throws {
        let events = self.events
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in events.cancelOnGracefulShutdown() {
                    await self.handle(event)
                }
            }
            group.addTask {
                var lostSession = false
                for await session in self.client.sessionStates().cancelOnGracefulShutdown() {
                    switch session {
                    case .expired:
                        lostSession = true
                        self.logger.warning("ZooKeeper session expired; routes will be re-read on the new session")
                    case .connected where lostSession:
                        lostSession = false
                        await self.reloadAll()
                    default:
                        break
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: self.retryInterval)
                    await self.retryStale()
                }
            }
        }
        eventSink.finish()
        changes.finish()
    }

    // MARK: - Loading

    private static func route(of entry: Entry, table: String, path: String) throws(RouteError) -> Route {
        switch entry {
        case .route(let route, _): return route
        case .absent: throw RouteError(code: .unknownTable, table: table, source: path, reason: "no route node")
        case .malformed(let error, _): throw error
        }
    }

    /// Reads `table`'s node with a watch and caches the result: the route, "absent" (with a watch for
    /// the node's creation), or "malformed" (an invalid node keeps the previous route if there was one).
    private func load(_ table: String, previous: Route?) async throws(RouteError) -> Entry {
        let path = path(of: table)
        let token = state.withLock { state -> UInt64 in
            state.nextToken += 1
            return state.nextToken
        }
        let sink = eventSink
        let watch: @Sendable (WatchEvent) -> Void = { event in
            sink.yield(.watch(table: table, token: token, event))
        }
        let entry: Entry
        do {
            requestCount.add(1, ordering: .relaxed)
            let (data, _) = try await client.get(path, watch: watch)
            do {
                entry = .route(try RouteDocument.decode(data, table: table, path: path), token: token)
            } catch {
                logger.error(
                    "Malformed route node", metadata: [RouteLoggingKeys.zkPath: "\(path)", "error": "\(error)"])
                entry = previous.map { .route($0, token: token) } ?? .malformed(error, token: token)
            }
        } catch where error.code == .noNode {
            do {
                // Watch for the node's creation; if it appeared meanwhile, read it again at once.
                requestCount.add(1, ordering: .relaxed)
                if try await client.exists(path, watch: watch) != nil {
                    sink.yield(.watch(table: table, token: token, WatchEvent(type: .created, path: path, state: .connected)))
                }
            } catch {
                throw Self.unavailable(table: table, path: path, error)
            }
            entry = .absent(token: token)
        } catch {
            throw Self.unavailable(table: table, path: path, error)
        }
        state.withLock { state in
            state.stale.remove(table)
            if let evicted = state.cache.setValue(entry, forKey: table), evicted.key != table {
                state.stale.remove(evicted.key)
            }
        }
        if let route = entry.route, route != previous { changes.publish(.updated(route)) }
        logger.debug(
            "Route loaded",
            metadata: [RouteLoggingKeys.table: "\(table)", "metaproxy.cluster": "\(entry.route?.primary.name ?? "-")"])
        return entry
    }

    private static func unavailable(table: String, path: String, _ error: any Error) -> RouteError {
        RouteError(code: .sourceUnavailable, table: table, source: path, reason: "\(error)", underlying: error)
    }

    private func handle(_ event: Event) async {
        guard case .watch(let table, let token, let watch) = event else { return }
        let current = state.withLock { $0.cache.peekValue(forKey: table) }
        // The watch of an evicted table, or of an entry already replaced, is ignored.
        guard let current, current.token == token else { return }
        switch watch.type {
        case .session, .notWatching:
            // The watch ended with the session; the session handler re-reads every cached table.
            return
        case .deleted:
            _ = state.withLock { $0.cache.removeValue(forKey: table) }
            logger.info("Route removed", metadata: [RouteLoggingKeys.table: "\(table)"])
            if current.route != nil { changes.publish(.removed(table: table)) }
        case .created, .dataChanged, .childrenChanged:
            await refresh(table, previous: current)
        }
    }

    /// Reads a cached table again (after a watch fired, a session change or a failed re-read).
    private func refresh(_ table: String, previous: Entry?) async {
        do {
            let entry = try await refreshes.run(key: table) { () async throws(RouteError) -> Entry in
                try await load(table, previous: previous?.route)
            }
            if let route = entry.route, route != previous?.route {
                logger.info(
                    "Route changed",
                    metadata: [RouteLoggingKeys.table: "\(table)", "metaproxy.cluster": "\(route.primary.name)"])
            } else if entry.route == nil, previous?.route != nil {
                logger.info("Route removed", metadata: [RouteLoggingKeys.table: "\(table)"])
                changes.publish(.removed(table: table))
            }
        } catch {
            // The watch is spent: keep serving the last known route and read again soon.
            state.withLock { state in
                if state.cache.contains(table) { state.stale.insert(table) }
            }
            logger.warning(
                "Route re-read failed; keeping the cached route and retrying",
                metadata: [RouteLoggingKeys.table: "\(table)", "error": "\(error)"])
        }
    }

    /// Re-reads the tables whose last re-read failed.
    private func retryStale() async {
        guard client.sessionState == .connected else { return }
        let stale = state.withLock { state in state.stale.map { ($0, state.cache.peekValue(forKey: $0)) } }
        for (table, previous) in stale {
            await refresh(table, previous: previous)
        }
    }

    /// Reads every cached table again, re-arming its watch (after session expiry).
    private func reloadAll() async {
        let cached = state.withLock { state in state.cache.keys.map { ($0, state.cache.peekValue(forKey: $0)) } }
        logger.info(
            "Re-reading cached routes on the new ZooKeeper session", metadata: ["metaproxy.tables": "\(cached.count)"])
        for (table, previous) in cached {
            await refresh(table, previous: previous)
        }
    }

    /// Pegasus table names: letters, digits, `_`, `.`, `-`; no `/`.
    static func isValidTableName(_ table: String) -> Bool {
        !table.isEmpty && table.utf8.count <= 256 && table != "." && table != ".."
            && table.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2E || byte == 0x2D || byte == 0x3A
            }
    }
}
