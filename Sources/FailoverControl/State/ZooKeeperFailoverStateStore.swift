import FailoverPolicy
import Logging
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import Synchronization
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The failover state shared by every instance on a ZooKeeper root: each table's ``EffectiveRoute``
/// at ``FailoverPaths/effectiveRoute(of:)`` and the global pause flag at ``FailoverPaths/paused``.
///
/// Lazy and watched, like ``ZooKeeperRouteStore``: a **protected** table (a route with backups) is read
/// (with a one-shot watch, re-armed on every fire) the first time it is used — when the route store
/// publishes its route, when a query misses in ``activeCluster(for:)``, or when the decider
/// ``track(_:)``s it. A route without backups is routed to its primary whatever a document says, so
/// its node is never read or watched. Until its node has been
/// read, a table is routed to its declared primary; the hot path never waits. A missing node is
/// watched for its creation. After a session expiry every table and the pause flag are read again.
///
/// While ZooKeeper is unreachable, routing keeps the last known state; ``status()`` says so, a
/// warning is logged once, and `metaproxy_failover_state_stale` is 1.
///
/// A `Service`: ``run()`` processes loads, watch events and session changes until shutdown.
public final class ZooKeeperFailoverStateStore: FailoverStateStore, Service {
    private struct Entry {
        var state: FailoverTableState
        /// The token of the read whose watch is armed; 0 while the first read is pending.
        var token: UInt64
        /// The node's `mtime` (ZooKeeper's clock, ms since the epoch) at the last read; `nil` after a
        /// write of this instance until the watch's read, and for an absent node.
        var modifiedAt: Int64? = nil
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var nextToken: UInt64 = 0
        /// Tables whose last read failed (their watch is spent): read again every `retryInterval`.
        var failed: Set<String> = []
        /// Tables whose node is malformed or whose last read failed.
        var unreadable: Set<String> = []
        var paused = false
        var pausedToken: UInt64 = 0
        var pausedFailed = false
        var reachable = false
        var unreachableSince: Date? = Date()

        mutating func token() -> UInt64 {
            nextToken += 1
            return nextToken
        }
    }

    private enum Event: Sendable {
        case load(table: String, force: Bool)
        case watch(table: String, token: UInt64, WatchEvent)
        case loadPaused
        case pausedWatch(token: UInt64, WatchEvent)
    }

    private let client: ZooKeeperClient
    /// The ZooKeeper layout.
    public let paths: FailoverPaths
    private let routes: any RouteStore
    private let metrics: FailoverMetrics
    private let resolver: ActiveClusterResolver
    private let retryInterval: Duration
    private let writeFailures: StateWriteFailures
    private let logger: Logger
    private let state = Mutex(State())
    /// Advanced after every document read, written or removed (``generation``).
    private let changeGeneration = ChangeGeneration()
    private let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    /// Creates a store over a client (connected by the caller, or connecting).
    /// - Parameters:
    ///   - client: The ZooKeeper client; the store does not close it.
    ///   - paths: The layout under the root.
    ///   - routes: The data path's route store; tables it publishes are loaded ahead of their first query.
    ///   - metrics: Where `metaproxy_failover_active_backup` and `metaproxy_failover_state_stale` go.
    ///   - retryInterval: How often a table whose read failed is read again.
    ///   - writeFailures: Counts and logs failed writes other than compare-and-set conflicts; `nil` makes one
    ///     without a credentials source.
    ///   - logger: State changes at info, problems at warning/error.
    public init(
        client: ZooKeeperClient,
        paths: FailoverPaths,
        routes: any RouteStore,
        metrics: FailoverMetrics,
        retryInterval: Duration = .seconds(1),
        writeFailures: StateWriteFailures? = nil,
        logger: Logger
    ) {
        self.writeFailures =
            writeFailures ?? StateWriteFailures(metrics: metrics, credentialsSource: nil, logger: logger)
        self.client = client
        self.paths = paths
        self.routes = routes
        self.metrics = metrics
        self.retryInterval = retryInterval
        var logger = logger
        logger[metadataKey: "zk.root"] = "\(paths.root)"
        self.logger = logger
        self.resolver = ActiveClusterResolver(logger: logger)
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    // MARK: - FailoverStateStore

    public func activeCluster(for route: Route) -> ClusterRoute {
        // A route without backups goes to its primary whatever a document says: nothing to read or watch.
        guard !route.backups.isEmpty else { return route.primary }
        let (document, requested) = state.withLock { state -> (EffectiveRoute?, Bool) in
            if let entry = state.entries[route.table] {
                return (entry.state.routingDocument, false)
            }
            state.entries[route.table] = Entry(state: .unknown, token: 0)
            return (nil, true)
        }
        if requested {
            eventSink.yield(.load(table: route.table, force: false))
        }
        return resolver.cluster(for: route, document: document)
    }

    /// Advances after every read of a table's node is applied (document installed, changed, removed
    /// or found malformed) and after every document this instance writes: whenever
    /// ``activeCluster(for:)`` may answer differently. A table's first use (state still unknown,
    /// routed to its primary) does not advance it.
    public var generation: UInt64 { changeGeneration.current }

    public func track(_ tables: [String]) {
        let requested = state.withLock { state in
            tables.filter { table in
                guard state.entries[table] == nil else { return false }
                state.entries[table] = Entry(state: .unknown, token: 0)
                return true
            }
        }
        metrics.prepareDecisions(tables: requested)
        for table in requested {
            eventSink.yield(.load(table: table, force: false))
        }
    }

    public func state(of table: String) -> FailoverTableState {
        state.withLock { $0.entries[table]?.state ?? .unknown }
    }

    public var isGloballyPaused: Bool {
        state.withLock { $0.paused }
    }

    @discardableResult
    public func write(_ route: EffectiveRoute, expecting: FailoverWriteExpectation) async throws(FailoverStateError)
        -> Int32
    {
        try await write(route, expecting: expecting, fence: nil)
    }

    @discardableResult
    public func write(
        _ route: EffectiveRoute,
        expecting: FailoverWriteExpectation,
        fence: DeciderFence
    ) async throws(FailoverStateError) -> Int32 {
        try await write(route, expecting: expecting, fence: Optional(fence))
    }

    private func write(
        _ route: EffectiveRoute,
        expecting: FailoverWriteExpectation,
        fence: DeciderFence?
    ) async throws(FailoverStateError) -> Int32 {
        let path = paths.effectiveRoute(of: route.table)
        let data: [UInt8]
        do {
            data = Array(try route.jsonData())
        } catch {
            throw FailoverStateError(code: .encoding, table: route.table, path: path, detail: error.description)
        }
        let version: Int32
        do throws(ZooKeeperError) {
            if let fence {
                version = try await fencedWrite(path: path, data: data, expecting: expecting, fence: fence)
            } else {
                switch expecting {
                case .absent:
                    try await client.create(path, data: data, createParents: true)
                    version = 0
                case .version(let expected):
                    version = try await client.set(path, data: data, version: expected).version
                }
            }
        } catch {
            // The check failed (the node is gone), or the session that owned the node expired with it.
            if let fence, error.failedOperation == 0 || error.code == .sessionExpired {
                throw FailoverStateError(
                    code: .fenced,
                    table: route.table,
                    path: path,
                    detail: "election node \(fence) is gone: \(error)"
                )
            }
            let conflict = error.code == .nodeExists || error.code == .badVersion || error.code == .noNode
            if !conflict {
                writeFailures.failed(.effectiveRoute, path: path, error: error)
            }
            throw FailoverStateError(
                code: conflict ? .conflict : .unavailable,
                table: route.table,
                path: path,
                detail: "expected \(expecting): \(error)"
            )
        }
        writeFailures.succeeded(.effectiveRoute)
        remember(route, version: version)
        return version
    }

    /// Remembers a document this instance wrote, unless a newer read already arrived.
    private func remember(_ route: EffectiveRoute, version: Int32) {
        let installed = state.withLock { state -> Bool in
            guard var entry = state.entries[route.table] else { return false }
            if let known = entry.state.version, known >= version {
                return false
            }
            entry.state = .present(route, version: version)
            entry.modifiedAt = nil
            state.entries[route.table] = entry
            return true
        }
        // After the document is in place: a reader of the old generation routed by the old one.
        if installed { changeGeneration.advance() }
        metrics.activeBackup(table: route.table, route.mode != .primary)
    }

    /// Writes the documents with few multi-ops (``FencedBatchWriter``): each chunk checks the fence once
    /// and compare-and-sets (or creates) every document in it. A document whose version changed meanwhile
    /// is answered ``FailoverStateError/Code/conflict`` and the rest of its chunk is written without it; a
    /// failed fence answers every document not yet written ``FailoverStateError/Code/fenced``.
    public func write(batch writes: [FailoverStateWrite], fence: DeciderFence?) async -> [Result<Int32, FailoverStateError>] {
        var results = [Result<Int32, FailoverStateError>?](repeating: nil, count: writes.count)
        var items: [FencedBatchWriter.Item] = []
        var positions: [Int] = []
        for (position, write) in writes.enumerated() {
            let path = paths.effectiveRoute(of: write.route.table)
            do {
                let data = Array(try write.route.jsonData())
                var version: Int32?
                if case .version(let expected) = write.expecting {
                    version = expected
                }
                items.append(FencedBatchWriter.Item(path: path, data: data, version: version))
                positions.append(position)
            } catch {
                results[position] = .failure(
                    FailoverStateError(code: .encoding, table: write.route.table, path: path, detail: error.description))
            }
        }
        let outcomes = await FencedBatchWriter(client: client).write(items, fence: fence, parent: paths.failoverDirectory)
        var anyWritten = false
        var requestFailureCounted = false
        for (item, (position, outcome)) in zip(items, zip(positions, outcomes)) {
            let write = writes[position]
            let table = write.route.table
            switch outcome {
            case .written(let version):
                anyWritten = true
                remember(write.route, version: version)
                results[position] = .success(version)
            case .fenced(let error):
                results[position] = .failure(
                    FailoverStateError(
                        code: .fenced, table: table, path: item.path,
                        detail: "election node \(fence?.electionNode ?? "-") is gone: \(error)"))
            case .rejected(let error), .unknown(let error):
                let conflict = error.code == .nodeExists || error.code == .badVersion || error.code == .noNode
                // A request that failed as a whole is counted once, not once per document it carried.
                if !conflict, !(outcome.isUnknown && requestFailureCounted) {
                    requestFailureCounted = requestFailureCounted || outcome.isUnknown
                    writeFailures.failed(.effectiveRoute, path: item.path, error: error)
                }
                results[position] = .failure(
                    FailoverStateError(
                        code: conflict ? .conflict : .unavailable, table: table, path: item.path,
                        detail: "expected \(write.expecting): \(error)"))
            }
        }
        if anyWritten {
            writeFailures.succeeded(.effectiveRoute)
        }
        return results.map {
            $0 ?? .failure(FailoverStateError(code: .unavailable, table: "-", path: "-", detail: "not written"))
        }
    }

    /// One multi-op: the fence's node exists, and the document is created or compare-and-set.
    private func fencedWrite(
        path: String,
        data: [UInt8],
        expecting: FailoverWriteExpectation,
        fence: DeciderFence
    ) async throws(ZooKeeperError) -> Int32 {
        let check = ZooKeeperOperation.check(path: fence.electionNode, version: -1)
        switch expecting {
        case .absent:
            do throws(ZooKeeperError) {
                try await client.multi([check, .create(path: path, data: data)])
            } catch where error.failedOperation == 1 && error.code == .noNode {
                // A multi cannot create parents: make the directory, then try once more.
                do throws(ZooKeeperError) {
                    try await client.create(paths.failoverDirectory, createParents: true)
                } catch where error.code == .nodeExists {}
                try await client.multi([check, .create(path: path, data: data)])
            }
            return 0
        case .version(let expected):
            let results = try await client.multi([check, .set(path: path, data: data, version: expected)])
            guard results.count == 2, case .set(let stat) = results[1] else {
                throw ZooKeeperError(.systemError, path: path, detail: "multi answered \(results)")
            }
            return stat.version
        }
    }

    public func status() -> FailoverStoreStatus {
        state.withLock { state in
            FailoverStoreStatus(
                source: "zookeeper \(paths.root)",
                reachable: state.reachable,
                unreachableSince: state.unreachableSince,
                globallyPaused: state.paused,
                unreadableTables: state.unreadable.sorted()
            )
        }
    }

    public func documents() -> [EffectiveRoute] {
        state.withLock { state in state.entries.values.compactMap { $0.state.routingDocument } }
            .sorted { $0.table < $1.table }
    }

    // MARK: - Service

    /// Follows loads, watch events, route changes and session changes until graceful shutdown or cancellation.
    public func run() async throws {
        let events = self.events
        metrics.stateStale(!state.withLock { $0.reachable })
        eventSink.yield(.loadPaused)
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in events.cancelOnGracefulShutdown() {
                    await self.handle(event)
                }
            }
            group.addTask {
                for await change in self.routes.routeChanges().cancelOnGracefulShutdown() {
                    if case .updated(let route) = change, !route.backups.isEmpty {
                        self.track([route.table])
                    }
                }
            }
            group.addTask {
                await self.followSession()
            }
            group.addTask {
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: self.retryInterval)
                    self.retryFailed()
                }
            }
        }
        eventSink.finish()
    }

    // MARK: - Loading

    private func handle(_ event: Event) async {
        switch event {
        case .load(let table, let force):
            let pending = state.withLock { $0.entries[table]?.token == 0 }
            if force || pending {
                await load(table)
            }
        case .watch(let table, let token, let watch):
            guard state.withLock({ $0.entries[table]?.token == token }) else { return }
            switch watch.type {
            case .session, .notWatching:
                // The watch ended with the session; the session handler reads everything again.
                return
            case .created, .deleted, .dataChanged, .childrenChanged:
                await load(table)
            }
        case .loadPaused:
            await loadPaused()
        case .pausedWatch(let token, let watch):
            guard state.withLock({ $0.pausedToken == token }) else { return }
            if watch.type != .session, watch.type != .notWatching {
                await loadPaused()
            }
        }
    }

    /// Reads `table`'s document with a watch and caches it.
    private func load(_ table: String) async {
        let path = paths.effectiveRoute(of: table)
        let token = state.withLock { $0.token() }
        let sink = eventSink
        let watch: @Sendable (WatchEvent) -> Void = { event in
            sink.yield(.watch(table: table, token: token, event))
        }
        let loaded: FailoverTableState
        var modifiedAt: Int64?
        do throws(ZooKeeperError) {
            let (data, stat) = try await client.get(path, watch: watch)
            modifiedAt = stat.mtime
            do {
                loaded = .present(try EffectiveRoute.decode(Data(data), path: path), version: stat.version)
            } catch {
                logger.error(
                    "Malformed effective route node; routing by the last good document",
                    metadata: [FailoverLoggingKeys.zkPath: "\(path)", FailoverLoggingKeys.error: "\(error)"]
                )
                let previous = state.withLock { $0.entries[table]?.state.routingDocument }
                loaded = .malformed(version: stat.version, error: error.description, previous: previous)
                unreadable(table, reason: "malformed")
            }
        } catch where error.code == .noNode {
            do throws(ZooKeeperError) {
                if try await client.exists(path, watch: watch) != nil {
                    // Created meanwhile: its creation event (already queued) reads it.
                    sink.yield(.watch(table: table, token: token, WatchEvent(type: .created, path: path, state: .connected)))
                    state.withLock { state in state.entries[table]?.token = token }
                    return
                }
            } catch {
                failed(table, path: path, error)
                return
            }
            loaded = .absent
        } catch {
            failed(table, path: path, error)
            return
        }
        apply(loaded, table: table, token: token, modifiedAt: modifiedAt)
    }

    public func modifiedAt(of table: String) -> Int64? {
        state.withLock { $0.entries[table]?.modifiedAt }
    }

    /// Counts an unreadable node (`reason`: `malformed` or `read_error`); routing keeps the last known document.
    private func unreadable(_ table: String, reason: String) {
        state.withLock { _ = $0.unreadable.insert(table) }
        metrics.stateUnreadable(table: table, reason: reason)
        metrics.stateUnreadableNow(table: table, true)
    }

    private func apply(_ loaded: FailoverTableState, table: String, token: UInt64, modifiedAt: Int64?) {
        var readable = true
        if case .malformed = loaded {
            readable = false
        }
        if readable, state.withLock({ $0.unreadable.remove(table) != nil }) {
            metrics.stateUnreadableNow(table: table, false)
            logger.info("Effective route node readable again", metadata: [FailoverLoggingKeys.table: "\(table)"])
        }
        let (previous, current) = state.withLock { state -> (FailoverTableState?, FailoverTableState) in
            state.failed.remove(table)
            let previous = state.entries[table]?.state
            var current = loaded
            // A write of this instance may have landed after this read: keep the newer document.
            var modified = modifiedAt
            if let previous, let known = previous.version, let read = loaded.version, read < known {
                current = previous
                modified = nil
            }
            state.entries[table] = Entry(state: current, token: token, modifiedAt: modified)
            return (previous, current)
        }
        // After the state is in place: a reader of the old generation routed by the old one.
        changeGeneration.advance()
        let before = previous?.routingDocument
        let after = current.routingDocument
        metrics.activeBackup(table: table, (after?.mode ?? .primary) != .primary)
        if let after, before?.activeCluster != after.activeCluster || before?.paused != after.paused {
            logger.info(
                "Effective route loaded",
                metadata: [
                    FailoverLoggingKeys.table: "\(table)",
                    FailoverLoggingKeys.cluster: "\(after.activeCluster)",
                    FailoverLoggingKeys.decider: "\(after.decidedBy)",
                    FailoverLoggingKeys.reasonCode: "\(after.reason.code)",
                    "failover.mode": "\(after.mode.rawValue)",
                    "failover.paused": "\(after.paused)",
                ]
            )
        } else if before != nil, after == nil {
            logger.info("Effective route removed; routing to the primary", metadata: [FailoverLoggingKeys.table: "\(table)"])
        }
    }

    private func failed(_ table: String, path: String, _ error: ZooKeeperError) {
        state.withLock { _ = $0.failed.insert(table) }
        unreadable(table, reason: "read_error")
        logger.warning(
            "Effective route read failed; keeping the last known state and retrying",
            metadata: [FailoverLoggingKeys.zkPath: "\(path)", FailoverLoggingKeys.error: "\(error)"]
        )
    }

    /// Reads the global pause flag (an `exists` watch on ``FailoverPaths/paused``).
    private func loadPaused() async {
        let token = state.withLock { $0.token() }
        let sink = eventSink
        do throws(ZooKeeperError) {
            let stat = try await client.exists(paths.paused) { event in
                sink.yield(.pausedWatch(token: token, event))
            }
            let changed = state.withLock { state -> Bool in
                defer {
                    state.paused = stat != nil
                    state.pausedToken = token
                    state.pausedFailed = false
                }
                return state.paused != (stat != nil)
            }
            if changed {
                logger.info("Global failover pause changed", metadata: ["failover.paused": "\(stat != nil)"])
            }
        } catch {
            state.withLock { $0.pausedFailed = true }
            logger.warning(
                "Reading the global pause flag failed; retrying",
                metadata: [FailoverLoggingKeys.zkPath: "\(paths.paused)", FailoverLoggingKeys.error: "\(error)"]
            )
        }
    }

    /// Queues the reads that failed, while connected.
    private func retryFailed() {
        guard client.sessionState == .connected else { return }
        let (tables, paused) = state.withLock { state in
            defer {
                state.failed = []
                state.pausedFailed = false
            }
            return (state.failed, state.pausedFailed)
        }
        for table in tables {
            eventSink.yield(.load(table: table, force: true))
        }
        if paused {
            eventSink.yield(.loadPaused)
        }
    }

    /// Tracks reachability; after an expiry, reads every table and the pause flag again.
    private func followSession() async {
        var expired = false
        var warned = false
        for await session in client.sessionStates().cancelOnGracefulShutdown() {
            let reachable = session == .connected
            let changed = state.withLock { state -> Bool in
                guard state.reachable != reachable else { return false }
                state.reachable = reachable
                state.unreachableSince = reachable ? nil : Date()
                return true
            }
            if changed {
                metrics.stateStale(!reachable)
                if reachable {
                    if warned {
                        logger.info("ZooKeeper reachable again; failover state is live")
                    }
                    warned = false
                } else {
                    warned = true
                    logger.warning(
                        "ZooKeeper unreachable; routing keeps the last known failover state",
                        metadata: ["zk.session_state": "\(session)"]
                    )
                }
            }
            switch session {
            case .expired:
                expired = true
            case .connected where expired:
                expired = false
                let tables = state.withLock { Array($0.entries.keys) }
                logger.info(
                    "Re-reading effective routes on the new ZooKeeper session",
                    metadata: ["metaproxy.tables": "\(tables.count)"]
                )
                for table in tables {
                    eventSink.yield(.load(table: table, force: true))
                }
                eventSink.yield(.loadPaused)
            default:
                break
            }
        }
    }
}
