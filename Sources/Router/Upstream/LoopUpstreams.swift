import Logging
import NIOCore
import PegasusWire
import RouteModel

/// Every upstream cluster client of one event loop, plus coalescing of identical queries: those in
/// flight share one upstream call, and client queries arriving within `coalesceWindow` after an
/// identical call's successful reply are answered with that reply (``RecentReplies``).
///
/// Clients of clusters no query used for `idleClientTimeout` (and with nothing in flight) are
/// closed and dropped, so a route whose MetaServers change does not leave its old client and
/// connections behind.
///
/// It also keeps each table's resolution (``TableResolution``: the table's active cluster, its
/// client and query counter), reused while neither the route store's nor the effective route
/// source's ``ChangeGeneration`` moved, so a query of a known table costs two atomic loads instead
/// of a route lookup, an effective-route lookup and a cluster comparison
/// (``resolution(of:routes:effective:metrics:now:)``). A pool serves the route sources of one
/// proxy (``ProxyDependencies``).
///
/// Loop-bound: created and used only on `eventLoop`, so the data path takes no locks.
final class LoopUpstreams {
    /// What identifies identical queries: same cluster, RPC name and args bytes. Hashed once, when
    /// made: a query looks it up in the recent replies and in the calls in flight, and may add it.
    struct InflightKey: Hashable {
        let cluster: ClusterRoute
        let name: String
        let args: ByteBuffer
        /// `cluster.hashValue`, kept so that a copy of the key needs no hashing of the cluster.
        let clusterHash: Int
        private let hash: Int

        /// A key; `clusterHash` is `cluster.hashValue` (a ``TableResolution`` has it already).
        init(cluster: ClusterRoute, clusterHash: Int, name: String, args: ByteBuffer) {
            self.cluster = cluster
            self.clusterHash = clusterHash
            self.name = name
            self.args = args
            var hasher = Hasher()
            hasher.combine(clusterHash)
            hasher.combine(name)
            hasher.combine(args)
            self.hash = hasher.finalize()
        }

        init(cluster: ClusterRoute, name: String, args: ByteBuffer) {
            self.init(cluster: cluster, clusterHash: cluster.hashValue, name: name, args: args)
        }

        static func == (lhs: InflightKey, rhs: InflightKey) -> Bool {
            lhs.hash == rhs.hash && lhs.name == rhs.name && lhs.args == rhs.args && lhs.cluster == rhs.cluster
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }
    }

    private let eventLoop: any EventLoop
    private let settings: UpstreamSettings
    private let observer: any UpstreamObserver
    private let logger: Logger
    private let seqids = SeqidSource()
    /// The attempt timers (and the waits of joined queries) of every query of this loop.
    private let timeouts: AttemptTimeouts
    /// The end-of-tick flushes of this loop's connections, upstream and (``ProxyConnectionHandler``) client.
    let flushes: LoopFlushes
    private var clients: [ClusterRoute: MetaClusterClient] = [:]
    /// The client the last query used: most queries of a loop go to the same cluster, and
    /// comparing a route with the one it was copied from is cheaper than hashing it.
    private var lastClient: MetaClusterClient?
    /// Upstream calls in flight that identical queries may join.
    private var inflight: [InflightKey: UpstreamQuery] = [:]
    /// Successful query-config replies reusable for `coalesceWindow`; `nil` when coalescing or the window is off.
    private var recent: RecentReplies<InflightKey>?
    private var nextSweep: NIODeadline
    private var routeLoads: [String: EventLoopFuture<Route>] = [:]
    /// Each table's resolution on this loop (``resolution(of:routes:effective:metrics:now:)``), at
    /// most ``resolutionCapacity``.
    private var resolutions: [String: TableResolution] = [:]
    /// The resolution the last query used: consecutive queries of one table skip the table's hash.
    private var lastResolution: TableResolution?
    /// How many tables a loop keeps resolved; beyond it the resolutions are dropped and made again.
    static let resolutionCapacity = 8192
    /// How often a resolved table is looked up in the route store anyway (marking it used in an LRU).
    static let routeTouchInterval = TimeAmount.seconds(1)
    /// Client queries of this loop kept for reuse (see ``ProxyQuery``): no query object per request.
    let proxyQueries = FreeList<ProxyQuery>(capacity: ProxyQuery.poolCapacity)

    init(eventLoop: any EventLoop, settings: UpstreamSettings, observer: any UpstreamObserver, logger: Logger) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.observer = observer
        self.logger = logger
        self.timeouts = AttemptTimeouts(eventLoop: eventLoop)
        self.flushes = LoopFlushes(eventLoop: eventLoop)
        self.nextSweep = .now() + settings.idleClientTimeout
        if settings.coalesce, settings.coalesceWindow > .zero {
            self.recent = RecentReplies(window: settings.coalesceWindow, capacity: settings.coalesceWindowCapacity)
        }
    }

    /// Sends `query` to `cluster`, sharing the upstream call with an identical one already in
    /// flight on this loop (same cluster, RPC name and args bytes, i.e. same table and partitions).
    /// The outcome arrives in the query's ``UpstreamQuery/completed(_:)``.
    ///
    /// A query that joins a call started with a later deadline still fails at its own deadline
    /// (``UpstreamError/Code/deadlineExceeded``); the shared call goes on for the others.
    ///
    /// A query that accepts a recent reply (``UpstreamQuery/acceptsRecentReply``) is answered at
    /// once, before this returns, with the ERR_OK reply of an identical call of this loop that
    /// arrived less than `coalesceWindow` ago (the key holds the cluster, so never another cluster's).
    ///
    /// `now` is the current time, or about (a caller that read the clock for the batch of
    /// queries it starts passes that reading: one clock read per batch, not per query).
    func start(_ query: UpstreamQuery, cluster: ClusterRoute, now: NIODeadline = .now()) {
        sweepIdleClients(keeping: cluster, now: now)
        start(query, cluster: cluster, clusterHash: nil, client: nil, now: now)
    }

    /// Sends `query` to the cluster of `resolved` (its table's resolution on this loop, from
    /// ``resolution(of:routes:effective:metrics:now:)``), as ``start(_:cluster:now:)`` does, without
    /// looking the cluster's client up.
    func start(_ query: UpstreamQuery, resolved: TableResolution, now: NIODeadline) {
        if now >= nextSweep { sweepIdleClients(keeping: resolved.cluster, now: now) }
        // Without coalescing the resolution's client is all a query needs (no cluster value copied).
        guard settings.coalesce else { return resolved.client.start(query, now: now) }
        start(query, cluster: resolved.cluster, clusterHash: resolved.clusterHash, client: resolved.client, now: now)
    }

    /// Starts `query` on `known` (or `cluster`'s client), coalescing it; `clusterHash` is
    /// `cluster.hashValue` when known.
    private func start(
        _ query: UpstreamQuery, cluster: ClusterRoute, clusterHash: Int?, client known: MetaClusterClient?,
        now: NIODeadline
    ) {
        guard settings.coalesce else {
            return (known ?? client(for: cluster)).start(query, now: now)
        }
        let key = InflightKey(
            cluster: cluster, clusterHash: clusterHash ?? cluster.hashValue, name: query.name, args: query.args)
        if query.acceptsRecentReply, let reply = recent?.reply(for: key, now: now) {
            observer.replyReused(cluster: cluster.name)
            query.cluster = cluster.name
            return query.complete(.success(reply))
        }
        if let shared = inflight[key] {
            observer.coalesced(cluster: cluster.name)
            query.phase = .joined
            query.cluster = cluster.name
            shared.joiners.append(Joiner(query))
            if query.deadline < shared.deadline {
                query.timeout = timeouts.add(deadline: query.deadline, target: query)
            }
            return
        }
        // Registered first: the client may complete the query before `start` returns.
        query.inflightKey = key
        inflight[key] = query
        (known ?? client(for: cluster)).start(query, now: now)
    }

    /// How `table`'s queries are sent from this loop: the resolution kept for it while
    /// `routes.generation` and `effective.generation` are those it was made at (and its route store
    /// lookup is not due, ``routeTouchInterval``), else a new one: `routes.cachedRoute(for:)`,
    /// `effective.activeCluster(for:)` and the cluster's client. `nil` when the route store has no
    /// cached route for `table` (the caller loads it with `route(for:)`).
    ///
    /// `now` is the query's arrival (no clock read here). The generations are read before the
    /// sources, so a change made meanwhile leaves the new resolution stale, never wrongly current.
    func resolution(
        of table: String, routes: any RouteStore, effective: any EffectiveRouteSource, metrics: ProxyMetrics,
        now: NIODeadline
    ) -> TableResolution? {
        let routeGeneration = routes.generation
        let effectiveGeneration = effective.generation
        let kept: TableResolution?
        if let last = lastResolution, last.table == table {
            kept = last
        } else {
            kept = resolutions[table]
        }
        if let kept, kept.holds(routeGeneration: routeGeneration, effectiveGeneration: effectiveGeneration, now: now) {
            if lastResolution !== kept { lastResolution = kept }
            return kept
        }
        guard let route = routes.cachedRoute(for: table) else {
            if kept != nil { forgetResolution(of: table) }
            return nil
        }
        let cluster = effective.activeCluster(for: route)
        if kept == nil, resolutions.count >= Self.resolutionCapacity {
            resolutions.removeAll(keepingCapacity: true)
        }
        let made = TableResolution(
            table: table, routeGeneration: routeGeneration, effectiveGeneration: effectiveGeneration, cluster: cluster,
            client: client(for: cluster), queries: kept?.queries ?? metrics.queryConfigCounter(table: table),
            touchDue: now + Self.routeTouchInterval)
        resolutions[table] = made
        lastResolution = made
        return made
    }

    /// Drops the resolution of `table` (the route store no longer has its route).
    private func forgetResolution(of table: String) {
        resolutions.removeValue(forKey: table)
        if lastResolution?.table == table { lastResolution = nil }
    }

    /// Drops every resolution (their clients may be closed).
    private func forgetResolutions() {
        resolutions.removeAll()
        lastResolution = nil
    }

    /// How many tables this loop keeps resolved (for tests).
    var resolutionCount: Int { resolutions.count }

    /// Sends a request to `cluster` and returns the reply as a future (control plane and tests;
    /// the data path uses ``start(_:resolved:now:)``).
    func query(
        cluster: ClusterRoute,
        name: String,
        args: ByteBuffer,
        deadline: NIODeadline,
        followsForwards: Bool
    ) -> EventLoopFuture<ResponseFrame> {
        let query = PromiseQuery(
            name: name, args: args, deadline: deadline, followsForwards: followsForwards,
            promise: eventLoop.makePromise(of: ResponseFrame.self))
        start(query, cluster: cluster)
        return query.promise.futureResult
    }

    /// A cluster client is done with `query`: completes it and the queries that joined it.
    private func finished(_ query: UpstreamQuery, _ result: Result<ResponseFrame, UpstreamError>) {
        // The usual query: nobody joined it and it is not in the table of calls others may join.
        if case .none = query.inflightKey, query.joiners.isEmpty {
            return query.complete(result, at: query.completedAt)
        }
        if let key = query.inflightKey {
            query.inflightKey = nil
            inflight.removeValue(forKey: key)
            if case .success(let reply) = result { keepForReuse(reply, key: key) }
        }
        let joiners = query.joiners
        query.joiners = []
        let now = query.completedAt
        query.complete(result, at: now)
        for waiting in joiners {
            // A joiner that gave up at its own deadline may have been reused for another query since.
            guard let joiner = waiting.current else { continue }
            if let timeout = joiner.timeout {
                timeouts.cancel(timeout)
                joiner.timeout = nil
            }
            joiner.complete(result, at: now)
        }
    }

    /// Records a query-config reply for reuse if it is a success: envelope and response `ERR_OK`
    /// (never an error, a forward or a missing table). Key and body are copied, so the entry holds
    /// no client or upstream read buffer.
    private func keepForReuse(_ reply: ResponseFrame, key: InflightKey) {
        guard recent != nil, key.name == RpcName.queryConfig, reply.errorName == ErrorCode.ok.name,
            (try? QueryConfigResponse.peekError(body: reply.body)) == .ok
        else { return }
        let kept = InflightKey(
            cluster: key.cluster, clusterHash: key.clusterHash, name: key.name, args: ByteBuffer(buffer: key.args))
        recent?.record(reply, for: kept, now: .now())
    }

    /// Loads the route of `table` with `load`, sharing one load among the queries of this loop
    /// that wait for the same uncached table. Their forwards then run in one tick, when the load
    /// completes, so they also share one upstream query (`query(cluster:...)`): a herd of first
    /// queries for a cold table costs one route load and one upstream query per event loop.
    func routeLoad(
        table: String, _ load: () -> EventLoopFuture<Route>
    ) -> EventLoopFuture<Route> {
        if let pending = routeLoads[table] { return pending }
        let future = load()
        routeLoads[table] = future
        future.assumeIsolated().whenComplete { [self] _ in
            routeLoads.removeValue(forKey: table)
        }
        return future
    }

    /// The believed leader of `cluster` on this loop, if known.
    func leader(of cluster: ClusterRoute) -> Endpoint? {
        clients[cluster]?.leader
    }

    /// Closes every upstream connection of this loop.
    func close() {
        for client in clients.values { client.close() }
        clients.removeAll()
        lastClient = nil
        forgetResolutions()
    }

    /// The number of cluster clients on this loop.
    var clientCount: Int { clients.count }

    /// Request bytes not yet written to any MetaServer from this loop.
    var queuedBytes: Int { clients.values.reduce(0) { $0 + $1.queuedBytes } }

    /// Closes the clients (but `keeping`'s) idle for `idleClientTimeout`; at most once per that span.
    private func sweepIdleClients(keeping cluster: ClusterRoute, now: NIODeadline) {
        guard now >= nextSweep else { return }
        nextSweep = now + settings.idleClientTimeout
        let idle = clients.filter { key, client in
            key != cluster && client.inflightCount == 0 && now - client.lastUsed >= settings.idleClientTimeout
        }
        for (key, client) in idle {
            client.close()
            clients.removeValue(forKey: key)
            if client === lastClient { lastClient = nil }
        }
        if !idle.isEmpty {
            // Some tables may resolve to a closed client: they are resolved again on their next query.
            forgetResolutions()
            logger.debug("Closed idle upstream clients", metadata: ["metaproxy.clusters": "\(idle.map(\.key.name))"])
        }
    }

    private func client(for cluster: ClusterRoute) -> MetaClusterClient {
        if let last = lastClient, last.cluster == cluster { return last }
        if let existing = clients[cluster] {
            lastClient = existing
            return existing
        }
        let created = MetaClusterClient(
            cluster: cluster, eventLoop: eventLoop, settings: settings, seqids: seqids, timeouts: timeouts,
            flushes: flushes, observer: observer, logger: logger
        ) { [unowned self] query, result in
            finished(query, result)
        }
        clients[cluster] = created
        lastClient = created
        return created
    }
}

@available(*, unavailable)
extension LoopUpstreams: Sendable {}

/// Hands out the proxy's own request seqids on one event loop (wrapping, never 0).
///
/// Loop-bound: one per event loop, shared by every upstream connection of that loop.
final class SeqidSource {
    private var last: Int32 = 0

    /// The next seqid.
    func next() -> Int32 {
        last = last == Int32.max ? 1 : last + 1
        return last
    }
}

@available(*, unavailable)
extension SeqidSource: Sendable {}
