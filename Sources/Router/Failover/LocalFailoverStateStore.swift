import FailoverPolicy
import Logging
import Synchronization

/// The failover state of a single instance without ZooKeeper (routes file): documents kept in
/// memory, written by this instance's own decider, lost on restart (every table starts on its
/// primary). Nothing to load, so no table is ever ``FailoverTableState/unknown``.
public final class LocalFailoverStateStore: FailoverStateStore {
    private struct Stored {
        var document: EffectiveRoute
        var version: Int32
    }

    private let documentsByTable = Mutex<[String: Stored]>([:])
    private let resolver: ActiveClusterResolver
    private let metrics: FailoverMetrics

    /// Creates an empty store.
    /// - Parameters:
    ///   - metrics: Where `metaproxy_failover_active_backup` is recorded.
    ///   - logger: Reports documents naming undeclared clusters.
    public init(metrics: FailoverMetrics, logger: Logger) {
        self.metrics = metrics
        self.resolver = ActiveClusterResolver(logger: logger)
    }

    public func activeCluster(for route: Route) -> ClusterRoute {
        let document = documentsByTable.withLock { $0[route.table]?.document }
        return resolver.cluster(for: route, document: document)
    }

    /// Nothing to load: every table's state is known.
    public func track(_ tables: [String]) {}

    public func state(of table: String) -> FailoverTableState {
        documentsByTable.withLock { documents in
            documents[table].map { .present($0.document, version: $0.version) } ?? .absent
        }
    }

    /// Always `false`: pausing needs the shared ZooKeeper state.
    public var isGloballyPaused: Bool { false }

    @discardableResult
    public func write(_ route: EffectiveRoute, expecting: FailoverWriteExpectation) async throws(FailoverStateError)
        -> Int32
    {
        let outcome: Result<Int32, FailoverStateError> = documentsByTable.withLock { documents in
            let current = documents[route.table]?.version
            let matches: Bool
            switch expecting {
            case .absent: matches = current == nil
            case .version(let version): matches = current == version
            }
            guard matches else {
                let detail = "expected \(expecting), found version \(current.map { "\($0)" } ?? "none")"
                return .failure(
                    FailoverStateError(code: .conflict, table: route.table, path: "memory", detail: detail)
                )
            }
            let version = current.map { $0 + 1 } ?? 0
            documents[route.table] = Stored(document: route, version: version)
            return .success(version)
        }
        let version = try outcome.get()
        metrics.activeBackup(table: route.table, route.mode != .primary)
        return version
    }

    public func status() -> FailoverStoreStatus {
        FailoverStoreStatus(source: "local", reachable: true, unreachableSince: nil, globallyPaused: false)
    }

    public func documents() -> [EffectiveRoute] {
        documentsByTable.withLock { $0.values.map(\.document) }.sorted { $0.table < $1.table }
    }
}
