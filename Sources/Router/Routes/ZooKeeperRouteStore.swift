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
/// "unknown table"). The cache is a bounded LRU (`zookeeper.table_watcher_cache_capacity`); the
/// watch of an evicted table is ignored when it fires. Concurrent first lookups of one table make
/// one read.
///
/// Names are the clients': a table whose node does not exist is remembered as absent in a cache
/// of its own (`zookeeper.negative_cache_capacity` names for `zookeeper.negative_cache_ttl`), read
/// without a watch, so unknown names can neither evict a real route nor leave a watch behind; a
/// node created meanwhile is found once the absence expires. A node has at most one watch of the
/// store armed at a time: re-reading a table whose watch is still armed (after its eviction, say)
/// reads without a new watch.
///
/// When the session expires, every cached table is read and watched again on the new session.
/// While ZooKeeper is unreachable, cached routes keep serving and uncached tables fail fast with
/// ``RouteError/Code/sourceUnavailable``.
///
/// A `Service`: ``run()`` processes watch events and session changes until shutdown.
public final class ZooKeeperRouteStore: RouteStore, Service {
    private enum Entry {
        case route(Route, token: UInt64)
        case malformed(RouteError, token: UInt64)

        var token: UInt64 {
            switch self {
            case .route(_, let token), .malformed(_, let token): token
            }
        }

        var route: Route? {
            if case .route(let route, _) = self { return route }
            return nil
        }
    }

    private struct State {
        var cache: LRUCache<String, Entry>
        /// Names without a node, until when (``now``) they are answered "unknown table" without a read.
        var absent: LRUCache<String, Duration>
        /// The token of the watch armed on each table's node (cached or evicted), until it fires or
        /// the session ends: at most one per node.
        var armed: [String: UInt64] = [:]
        var nextToken: UInt64 = 0
        /// Cached tables whose re-read failed (their watch is spent): retried every `retryInterval`.
        var stale: Set<String> = []

        /// Whether `table` is known absent at `now`; forgets an expired absence.
        mutating func isAbsent(_ table: String, now: Duration) -> Bool {
            guard let until = absent.peekValue(forKey: table) else { return false }
            if now < until { return true }
            absent.removeValue(forKey: table)
            return false
        }
    }

    /// How a read of a node is watched.
    private enum Arming {
        /// A new watch, with this token.
        case new(UInt64)
        /// The node's watch is armed already (this token): read without one.
        case armed(UInt64)

        var token: UInt64 {
            switch self {
            case .new(let token), .armed(let token): token
            }
        }
    }

    private enum Event: Sendable {
        case watch(table: String, token: UInt64, WatchEvent)
    }

    private let client: ZooKeeperClient
    /// The root path, without a trailing slash.
    public let root: String
    private let logger: Logger
    private let state: Mutex<State>
    /// First lookups of uncached tables (one read for all concurrent callers); `nil`: no node.
    private let loads = SingleFlight<String, Entry?, RouteError>()
    /// Re-reads of cached tables (after a watch fired, a session change or a failed re-read). Kept
    /// apart from `loads` so that a re-read never joins a lookup that answered from the cache.
    private let refreshes = SingleFlight<String, Entry?, RouteError>()
    /// ZooKeeper requests made to read routes (`get` and `exists`), for tests.
    private let requestCount = Atomic<Int>(0)
    private let changes = Broadcaster<RouteChange>()
    /// Advanced when a cached table's route changes or the table leaves the cache (``generation``).
    private let changeGeneration = ChangeGeneration()
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let retryInterval: Duration
    /// How long a name without a node is answered "unknown table" without a read.
    private let negativeTTL: Duration
    /// The time since the store was made, on its clock.
    private let now: @Sendable () -> Duration

    /// The default of `zookeeper.table_watcher_cache_capacity`: how many tables are cached and
    /// watched. Measured (BENCHMARKS.md, "Route scale"): about 3–4 KiB of proxy memory per cached and
    /// watched route, taken only as tables are queried, while a query of an uncached table costs a
    /// ZooKeeper read; 50,000 covers a large deployment's tables for about 200 MB at most.
    public static let defaultCapacity = 50_000

    /// Creates a store over a client (connected by the caller, or connecting).
    /// - Parameters:
    ///   - client: the ZooKeeper client; the store does not close it.
    ///   - root: the node holding one child per table, e.g. `/pegasus`.
    ///   - capacity: how many tables are cached and watched at most.
    ///   - retryInterval: how often a table whose re-read failed is read again.
    ///   - negativeCacheTTL: how long a name without a node is answered "unknown table" without a read
    ///     (`zookeeper.negative_cache_ttl`).
    ///   - negativeCacheCapacity: how many such names are remembered at most
    ///     (`zookeeper.negative_cache_capacity`).
    ///   - clock: what the absences expire on (tests pass a manual clock).
    public init(
        client: ZooKeeperClient, root: String, capacity: Int = ZooKeeperRouteStore.defaultCapacity, retryInterval: Duration = .seconds(1),
        negativeCacheTTL: Duration = .seconds(5), negativeCacheCapacity: Int = 4096,
        clock: some Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.client = client
        self.retryInterval = retryInterval
        self.negativeTTL = negativeCacheTTL
        let start = clock.now
        self.now = { start.duration(to: clock.now) }
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        var logger = logger
        logger[metadataKey: RouteLoggingKeys.zkRoot] = "\(self.root)"
        self.logger = logger
        self.state = Mutex(
            State(cache: LRUCache(capacity: max(1, capacity)), absent: LRUCache(capacity: max(1, negativeCacheCapacity))))
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
        let moment = now()
        if state.withLock({ $0.isAbsent(table, now: moment) }) { throw Self.noNode(table: table, path: path(of: table)) }
        guard client.sessionState == .connected else {
            throw RouteError(
                code: .sourceUnavailable, table: table, source: path(of: table),
                reason: "ZooKeeper is not connected (\(client.sessionState))")
        }
        let entry = try await loads.run(key: table) { () async throws(RouteError) -> Entry? in
            // A load for this table may have finished between the cache check above and here.
            let known = state.withLock { state -> Entry?? in
                if let cached = state.cache.peekValue(forKey: table) { return .some(cached) }
                return state.isAbsent(table, now: moment) ? .some(nil) : nil
            }
            if let known { return known }
            return try await load(table, previous: nil)
        }
        guard let entry else { throw Self.noNode(table: table, path: path(of: table)) }
        return try Self.route(of: entry, table: table, path: path(of: table))
    }

    private static func noNode(table: String, path: String) -> RouteError {
        RouteError(code: .unknownTable, table: table, source: path, reason: "no route node")
    }

    /// How many watches the store has armed on route nodes (at most one per node), for tests.
    var armedWatches: Int { state.withLock { $0.armed.count } }

    /// How many ZooKeeper requests (`get`, `exists`) the store has made to read routes.
    var zooKeeperRequests: Int { requestCount.load(ordering: .relaxed) }

    /// Drops `table` from the cache without publishing a change: its watch is ignored when it fires
    /// (like an evicted table's), so the node is no longer followed. For the failover catalog, when a
    /// table leaves the protected-table index.
    public func forget(_ table: String) {
        let removed = state.withLock { state in
            state.stale.remove(table)
            return state.cache.removeValue(forKey: table) != nil
        }
        if removed { changeGeneration.advance() }
    }

    /// The cached route of `table`, marking it recently used: the proxy answers most queries
    /// from here, so a table queried all the time stays cached however many others are loaded.
    public func cachedRoute(for table: String) -> Route? {
        state.withLock { $0.cache.value(forKey: table)?.route }
    }

    /// Advances when a cached table's route changes (a re-read found another route, or a malformed
    /// node without a previous route), when a table leaves the cache (node deleted or gone, LRU
    /// eviction, ``forget(_:)``). Caching a table not cached before does not advance it, unless it
    /// evicts another.
    public var generation: UInt64 { changeGeneration.current }

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
                        // The session's watches are gone: the next read of each node arms a new one.
                        self.state.withLock { $0.armed.removeAll() }
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
        case .malformed(let error, _): throw error
        }
    }

    /// Reads `table`'s node and caches the result: the route, or "malformed" (an invalid node keeps
    /// the previous route if there was one), with the node's watch armed (a new one unless one is
    /// armed already); or, without a node, remembers the name as absent (no watch) and returns `nil`.
    private func load(_ table: String, previous: Route?) async throws(RouteError) -> Entry? {
        let path = path(of: table)
        // A watch that fires while its node is read without a new one leaves the read unwatched
        // (and maybe stale): read again with a new watch.
        for _ in 0..<4 {
            let arming = state.withLock { state -> Arming in
                if let token = state.armed[table] { return .armed(token) }
                state.nextToken += 1
                state.armed[table] = state.nextToken
                return .new(state.nextToken)
            }
            let read: [UInt8]
            do {
                requestCount.add(1, ordering: .relaxed)
                read = try await client.get(path, watch: watch(table: table, arming)).0
            } catch {
                // Not armed: the read failed (a missing node gets no data watch).
                if case .new(let token) = arming { disarm(table, token: token) }
                guard error.code == .noNode else { throw Self.unavailable(table: table, path: path, error) }
                let until = now() + negativeTTL
                let removed = state.withLock { state in
                    state.absent.setValue(until, forKey: table)
                    state.stale.remove(table)
                    return state.cache.removeValue(forKey: table) != nil
                }
                if removed { changeGeneration.advance() }
                logger.debug("Route node absent", metadata: [RouteLoggingKeys.table: "\(table)"])
                return nil
            }
            let entry: Entry
            do {
                entry = .route(try RouteDocument.decode(read, table: table, path: path), token: arming.token)
            } catch {
                logger.error(
                    "Malformed route node", metadata: [RouteLoggingKeys.zkPath: "\(path)", "error": "\(error)"])
                entry = previous.map { .route($0, token: arming.token) } ?? .malformed(error, token: arming.token)
            }
            let (cached, changed) = state.withLock { state -> (Bool, Bool) in
                guard state.armed[table] == arming.token else { return (false, false) }
                state.stale.remove(table)
                state.absent.removeValue(forKey: table)
                // What `cachedRoute(for:)` answered so far changes: another route for this table, or
                // another table evicted to make room.
                var changed = false
                if let old = state.cache.peekValue(forKey: table), old.route != entry.route { changed = true }
                if let evicted = state.cache.setValue(entry, forKey: table), evicted.key != table {
                    state.stale.remove(evicted.key)
                    changed = true
                }
                return (true, changed)
            }
            if changed { changeGeneration.advance() }
            guard cached else { continue }
            if let route = entry.route, route != previous { changes.publish(.updated(route)) }
            logger.debug(
                "Route loaded",
                metadata: [RouteLoggingKeys.table: "\(table)", "metaproxy.cluster": "\(entry.route?.primary.name ?? "-")"])
            return entry
        }
        throw RouteError(
            code: .sourceUnavailable, table: table, source: path, reason: "the route node changes faster than it is read")
    }

    /// The watch to set with a read: a new one, or none if the node's watch is armed.
    private func watch(table: String, _ arming: Arming) -> (@Sendable (WatchEvent) -> Void)? {
        guard case .new(let token) = arming else { return nil }
        let sink = eventSink
        return { event in sink.yield(.watch(table: table, token: token, event)) }
    }

    /// Forgets the armed watch `token` of `table` (it fired, ended, or was never armed).
    private func disarm(_ table: String, token: UInt64) {
        state.withLock { state in
            if state.armed[table] == token { state.armed.removeValue(forKey: table) }
        }
    }

    private static func unavailable(table: String, path: String, _ error: any Error) -> RouteError {
        RouteError(code: .sourceUnavailable, table: table, source: path, reason: "\(error)", underlying: error)
    }

    private func handle(_ event: Event) async {
        guard case .watch(let table, let token, let watch) = event else { return }
        disarm(table, token: token)
        let current = state.withLock { $0.cache.peekValue(forKey: table) }
        // The watch of an evicted table, or of an entry already replaced, is ignored.
        guard let current, current.token == token else { return }
        switch watch.type {
        case .session, .notWatching:
            // The watch ended with the session; the session handler re-reads every cached table.
            return
        case .deleted:
            _ = state.withLock { $0.cache.removeValue(forKey: table) }
            changeGeneration.advance()
            logger.info("Route removed", metadata: [RouteLoggingKeys.table: "\(table)"])
            if current.route != nil { changes.publish(.removed(table: table)) }
        case .created, .dataChanged, .childrenChanged:
            await refresh(table, previous: current)
        }
    }

    /// Reads a cached table again (after a watch fired, a session change or a failed re-read).
    private func refresh(_ table: String, previous: Entry?) async {
        do {
            let entry = try await refreshes.run(key: table) { () async throws(RouteError) -> Entry? in
                try await load(table, previous: previous?.route)
            }
            if let route = entry?.route, route != previous?.route {
                logger.info(
                    "Route changed",
                    metadata: [RouteLoggingKeys.table: "\(table)", "metaproxy.cluster": "\(route.primary.name)"])
            } else if entry?.route == nil, previous?.route != nil {
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
