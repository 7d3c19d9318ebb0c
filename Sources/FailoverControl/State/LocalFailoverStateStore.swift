import FailoverPolicy
import Logging
import PegasusWire
import RouteModel
import Router
import Synchronization

/// The failover state of a single instance without ZooKeeper (routes file): documents kept in
/// memory, written by this instance's own decider, and, with a state file
/// (``LocalFailoverStateFile``, `failover.state_file`), saved after every decision and restored at
/// start; without one they are lost on restart (every table starts on its primary). Loading is
/// synchronous, so no table is ever ``FailoverTableState/unknown``.
public final class LocalFailoverStateStore: FailoverStateStore {
    private struct Stored {
        var document: EffectiveRoute
        var version: Int32
    }

    private let documentsByTable = Mutex<[String: Stored]>([:])
    /// Serialises writes (check, save, install) so the file always ends with the latest documents.
    private let saving = Mutex<Void>(())
    private let resolver: ActiveClusterResolver
    /// Advanced after every document installed (``generation``).
    private let changeGeneration = ChangeGeneration()
    private let metrics: FailoverMetrics
    private let file: LocalFailoverStateFile?
    private let logger: Logger

    /// Creates a store, restoring the documents of `stateFile` when it names one.
    /// - Parameters:
    ///   - metrics: Where `metaproxy_failover_active_backup` is recorded.
    ///   - stateFile: Where the documents are kept across restarts; `nil` keeps them in memory only.
    ///   - logger: Reports documents naming undeclared clusters and state-file trouble.
    public init(metrics: FailoverMetrics, stateFile: String? = nil, logger: Logger) {
        self.metrics = metrics
        self.resolver = ActiveClusterResolver(logger: logger)
        self.file = stateFile.map(LocalFailoverStateFile.init(path:))
        self.logger = logger
        guard let file else { return }
        let restored = file.load(logger: logger)
        documentsByTable.withLock { documents in
            for document in restored { documents[document.table] = Stored(document: document, version: 0) }
        }
        for document in restored { metrics.activeBackup(table: document.table, document.mode != .primary) }
    }

    public func activeCluster(for route: Route) -> ClusterRoute {
        let document = documentsByTable.withLock { $0[route.table]?.document }
        return resolver.cluster(for: route, document: document)
    }

    /// Advances after every document this store installs (documents restored at start are in place
    /// before any query).
    public var generation: UInt64 { changeGeneration.current }

    /// Nothing to load: every table's state is known.
    public func track(_ tables: [String]) {
        metrics.prepareDecisions(tables: tables)
    }

    public func state(of table: String) -> FailoverTableState {
        documentsByTable.withLock { documents in
            documents[table].map { .present($0.document, version: $0.version) } ?? .absent
        }
    }

    /// Always `false`: pausing needs the shared ZooKeeper state.
    public var isGloballyPaused: Bool { false }

    /// Without ZooKeeper there is no election (this instance always decides), so there is no fence to check:
    /// the same as ``write(_:expecting:)``.
    @discardableResult
    public func write(
        _ route: EffectiveRoute,
        expecting: FailoverWriteExpectation,
        fence: DeciderFence
    ) async throws(FailoverStateError) -> Int32 {
        try await write(route, expecting: expecting)
    }

    /// Checks `expecting`, saves the state file with the new document (when there is one), then
    /// installs the document: a decision is on disk before it routes a query, so a restart never
    /// forgets a switch this instance already acted on. Writes are serialised.
    @discardableResult
    public func write(_ route: EffectiveRoute, expecting: FailoverWriteExpectation) async throws(FailoverStateError)
        -> Int32
    {
        let version = try saving.withLock { _ throws(FailoverStateError) -> Int32 in
            let current = documentsByTable.withLock { $0[route.table]?.version }
            let matches: Bool
            switch expecting {
            case .absent: matches = current == nil
            case .version(let version): matches = current == version
            }
            guard matches else {
                let detail = "expected \(expecting), found version \(current.map { "\($0)" } ?? "none")"
                throw FailoverStateError(code: .conflict, table: route.table, path: "memory", detail: detail)
            }
            save(documents().filter { $0.table != route.table } + [route], after: route.table)
            let version = current.map { $0 + 1 } ?? 0
            documentsByTable.withLock { $0[route.table] = Stored(document: route, version: version) }
            // After the document is in place: a reader of the old generation routed by the old one.
            changeGeneration.advance()
            return version
        }
        metrics.activeBackup(table: route.table, route.mode != .primary)
        return version
    }

    /// Writes `documents` to the state file. A failure is logged, not thrown: the decision
    /// stands in memory and routes this instance; only a restart would forget it.
    private func save(_ documents: [EffectiveRoute], after table: String) {
        guard let file else { return }
        do {
            try file.save(documents)
        } catch {
            logger.error(
                "Failover state not saved: a restart would put the table back on its primary",
                metadata: ["metaproxy.table": "\(table)", "metaproxy.state_file": "\(file.path)", "error": "\(error)"])
        }
    }

    public func status() -> FailoverStoreStatus {
        FailoverStoreStatus(source: file.map { "local \($0.path)" } ?? "local", reachable: true, unreachableSince: nil, globallyPaused: false)
    }

    public func documents() -> [EffectiveRoute] {
        documentsByTable.withLock { $0.values.map(\.document) }.sorted { $0.table < $1.table }
    }
}
