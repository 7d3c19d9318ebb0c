import Logging
import Metrics
import PegasusWire
import RouteModel
import ServiceLifecycle
import Synchronization

/// A ``RouteStore`` serving the routes of a YAML routes file (see ``RouteFile``): the embedded route
/// source, used instead of ZooKeeper.
///
/// Every route is loaded when the store is created. As a `Service`, ``run()`` polls the file every
/// `reloadInterval` (modification time, size and content hash) and reloads it when it changed: the new
/// routes replace the old ones at once and each table whose route changed or disappeared is published on
/// ``routeChanges()``. A new file that cannot be read or parsed keeps the old routes and is logged at error
/// level with the key path at fault, and counted in `metaproxy_routes_file_reload_failures_total` (once
/// per rejected content).
public final class FileRouteStore: RouteStore, Service {
    /// What the poll loop remembers between ticks (touched by ``run()`` only).
    private struct PollState {
        var detector: FileChangeDetector
        /// The last problem logged, so a broken file is reported once, not on every tick.
        var lastProblem: String?
    }

    /// The routes file's path.
    public let file: String
    /// How often ``run()`` looks for changes.
    public let reloadInterval: Duration
    /// What ``run()`` sleeps on between polls.
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let routes: Mutex<[String: Route]>
    private let pollState: Mutex<PollState>
    /// Held for a whole reload, so that two reloads never interleave.
    private let reloading = Mutex(())
    private let changes = Broadcaster<RouteChange>()
    /// Advanced by a reload that changed or removed a route (``generation``).
    private let changeGeneration = ChangeGeneration()
    private let reloadFailures = Counter(label: "metaproxy_routes_file_reload_failures_total")

    /// Loads every route of `file`.
    /// - Parameters:
    ///   - file: The routes file's path.
    ///   - reloadInterval: How often ``run()`` looks for changes (default 1 s).
    ///   - clock: What ``run()`` sleeps on between polls (tests pass a manual clock).
    ///   - logger: Logs the load and reloads (info), rejected reloads (error).
    /// - Throws: ``RouteError``: ``RouteError/Code/sourceUnavailable`` if the file cannot be read,
    ///   ``RouteError/Code/malformed`` naming the file and key path if it is invalid.
    public init(
        file: String, reloadInterval: Duration = .seconds(1), clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) throws(RouteError) {
        var detector = FileChangeDetector(path: file)
        let contents: [UInt8]
        do {
            contents = try detector.changedContents() ?? []
        } catch {
            throw RouteError(
                code: .sourceUnavailable,
                source: file,
                reason: "cannot read the routes file",
                underlying: error
            )
        }
        let loaded = try RouteFile.parse(contents, file: file)
        self.file = file
        self.reloadInterval = reloadInterval
        self.clock = clock
        self.logger = logger
        self.routes = Mutex(loaded)
        self.pollState = Mutex(PollState(detector: detector))
        logger.info(
            "Routes file loaded",
            metadata: [RouteLoggingKeys.filePath: "\(file)", RouteLoggingKeys.tableCount: "\(loaded.count)"]
        )
    }

    /// Polls the file and reloads it on change until cancelled or until graceful shutdown; then finishes
    /// every ``routeChanges()`` stream.
    public func run() async throws {
        _ = try? await cancelWhenGracefulShutdown { [self] in
            while true {
                try await clock.sleep(for: reloadInterval)
                reloadIfChanged()
            }
        }
        changes.finish()
    }

    /// Reloads the file now if its content changed since the last load, as the poll loop would on its
    /// next tick (a SIGHUP reload calls this). A file that cannot be read or parsed keeps the current
    /// routes and is logged, as on a poll.
    /// - Returns: The changes published (empty when the file is unchanged or was rejected).
    @discardableResult
    public func reloadNow() -> [RouteChange] {
        reloadIfChanged()
    }

    /// Reloads the file if its content changed since the last load. Serialized: the poll loop and
    /// ``reloadNow()`` never read the file at the same time.
    /// - Returns: The changes published.
    @discardableResult
    func reloadIfChanged() -> [RouteChange] {
        reloading.withLock { _ in reloadSerialized() }
    }

    private func reloadSerialized() -> [RouteChange] {
        var state = pollState.withLock { $0 }
        let outcome = Self.readChanges(&state.detector, file: file)
        let changes: [RouteChange]
        switch outcome {
        case .unchanged:
            changes = []
        case .loaded(let newRoutes):
            state.lastProblem = nil
            changes = routes.withLock { current in
                defer { current = newRoutes }
                return Self.changes(from: current, to: newRoutes)
            }
            // After the new routes are in place: a reader of the old generation used the old ones.
            if !changes.isEmpty { changeGeneration.advance() }
            logger.info(
                "Routes file reloaded",
                metadata: [
                    RouteLoggingKeys.filePath: "\(file)",
                    RouteLoggingKeys.tableCount: "\(newRoutes.count)",
                    RouteLoggingKeys.changedCount: "\(changes.count)",
                ]
            )
        case .failed(let error):
            changes = []
            if state.lastProblem != error.description {
                state.lastProblem = error.description
                reloadFailures.increment()
                logger.error(
                    "Routes file rejected, keeping the current routes",
                    error: error,
                    metadata: [
                        RouteLoggingKeys.filePath: "\(file)",
                        RouteLoggingKeys.keyPath: "\(error.keyPath ?? "")",
                    ]
                )
            }
        }
        pollState.withLock { $0 = state }
        for change in changes {
            self.changes.publish(change)
        }
        return changes
    }

    private enum ReadOutcome {
        case unchanged
        case loaded([String: Route])
        case failed(RouteError)
    }

    private static func readChanges(_ detector: inout FileChangeDetector, file: String) -> ReadOutcome {
        let contents: [UInt8]
        do {
            guard let changed = try detector.changedContents() else { return .unchanged }
            contents = changed
        } catch {
            return .failed(
                RouteError(
                    code: .sourceUnavailable,
                    source: file,
                    reason: "cannot read the routes file",
                    underlying: error
                )
            )
        }
        do throws(RouteError) {
            return .loaded(try RouteFile.parse(contents, file: file))
        } catch {
            return .failed(error)
        }
    }

    /// The changes that turn `old` into `new`, sorted by table: `.updated` for new or changed routes,
    /// `.removed` for tables that are gone.
    static func changes(from old: [String: Route], to new: [String: Route]) -> [RouteChange] {
        let tables = Set(old.keys).union(new.keys).sorted()
        return tables.compactMap { table in
            switch (old[table], new[table]) {
            case (let before, .some(let after)) where before != after: .updated(after)
            case (.some, .none): .removed(table: table)
            default: nil
            }
        }
    }

    /// The route of `table`.
    /// - Throws: ``RouteError`` with code ``RouteError/Code/unknownTable`` if the file has no such table.
    public func route(for table: String) throws(RouteError) -> Route {
        guard let route = cachedRoute(for: table) else {
            throw RouteError(
                code: .unknownTable,
                table: table,
                source: file,
                reason: "unknown table \(table.diagnosticQuoted)"
            )
        }
        return route
    }

    /// The route of `table`, or `nil` if the file has none.
    public func cachedRoute(for table: String) -> Route? {
        routes.withLock { $0[table] }
    }

    /// Advances on every reload that changes or removes a route (a reload that only adds tables too).
    public var generation: UInt64 { changeGeneration.current }

    /// A new stream of the changes found by reloads from now on.
    public func routeChanges() -> AsyncStream<RouteChange> {
        changes.subscribe()
    }

    /// Every route of the file, sorted by table name.
    public func allCachedRoutes() -> [Route] {
        routes.withLock { Array($0.values) }.sorted { $0.table < $1.table }
    }

    /// Always `true`: the routes were loaded when the store was created.
    public var isReady: Bool { true }
}
