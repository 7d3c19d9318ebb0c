import Logging
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import Synchronization
import ZooKeeper

/// Keeps a ``ZooKeeperRouteStore`` filled with the **protected** tables (routes with backups) under the
/// root, for the failover runtime: the decider decides for them and every instance probes their
/// clusters and publishes their routes, not only the tables queried locally.
///
/// Which tables are protected comes from the protected-table index
/// (``FailoverPaths/protectedIndex``, `<root>/.meta-proxy/protected/<table>`), kept by every route
/// write of ``RouteAdmin`` and repaired by the decider's ``ProtectedIndexScanner``. The loader watches
/// the index's children (one watch) and loads each indexed table into the store, which then follows
/// the route node (data watch, deletion, session expiry) by itself; a table that leaves the index is
/// dropped from the store. Route nodes that are not indexed are never read, so the cost at start and
/// at idle does not depend on how many tables the root holds. The child list is read again whenever
/// its watch fires and after every reconnection.
///
/// A `Service`: ``run()`` runs until graceful shutdown or cancellation.
public final class RouteCatalogLoader: Service, Sendable {
    private let client: ZooKeeperClient
    private let index: String
    private let store: ZooKeeperRouteStore
    private let retryInterval: Duration
    private let logger: Logger
    /// The indexed tables at the last read of the index, and those among them loaded (or found absent).
    private let state = Mutex<(indexed: Set<String>, loaded: Set<String>)>(([], []))

    /// How many tables are read at once when the index grows.
    static let loadConcurrency = 8

    /// Creates a loader.
    /// - Parameters:
    ///   - client: The ZooKeeper client; not closed by the loader.
    ///   - root: The root of the table nodes.
    ///   - store: The store to fill (run it as a service too).
    ///   - retryInterval: The pause after a failed read.
    ///   - logger: Problems at warning.
    public init(
        client: ZooKeeperClient,
        root: String,
        store: ZooKeeperRouteStore,
        retryInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.client = client
        self.index = FailoverPaths(root: root).protectedIndex
        self.store = store
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// The tables of the protected-table index at its last read, sorted.
    public func indexedTables() -> [String] {
        state.withLock { $0.indexed.sorted() }
    }

    /// Reads the index and loads the new tables on every change of the index and every reconnection.
    public func run() async throws {
        let (changes, sink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await session in self.client.sessionStates().cancelOnGracefulShutdown() where session == .connected {
                    sink.yield()
                }
                sink.finish()
            }
            group.addTask {
                // A re-read in flight when a table left the index may cache it again: drop it again.
                for await change in self.store.routeChanges().cancelOnGracefulShutdown() {
                    guard case .updated(let route) = change else { continue }
                    if !self.state.withLock({ $0.indexed.contains(route.table) }) {
                        self.store.forget(route.table)
                    }
                }
            }
            group.addTask {
                for await _ in changes {
                    while !Task.isCancelled, self.client.sessionState == .connected {
                        guard await !self.loadIndex(sink: sink) else { break }
                        try? await Task.sleep(for: self.retryInterval)
                    }
                }
            }
        }
    }

    /// Reads the index's children with a watch, loads the tables not loaded yet and forgets the tables
    /// that left it.
    /// - Returns: Whether the index was read and every table in it was loaded (or found absent).
    private func loadIndex(sink: AsyncStream<Void>.Continuation) async -> Bool {
        let watch: @Sendable (WatchEvent) -> Void = { event in
            if event.type != .session {
                sink.yield()
            }
        }
        let children: [String]
        do throws(ZooKeeperError) {
            children = try await client.children(index, watch: watch)
        } catch where error.code == .noNode {
            // No index yet: wait for its creation.
            do throws(ZooKeeperError) {
                if try await client.exists(index, watch: watch) != nil {
                    sink.yield()
                }
                children = []
            } catch {
                logFailure(error)
                return false
            }
        } catch {
            logFailure(error)
            return false
        }
        let indexed = Set(children.filter(RouteAdmin.isValidTableName))
        let (gone, pending) = state.withLock { state -> ([String], [String]) in
            let gone = state.indexed.subtracting(indexed)
            state.indexed = indexed
            state.loaded.formIntersection(indexed)
            return (gone.sorted(), indexed.subtracting(state.loaded).sorted())
        }
        for table in gone {
            store.forget(table)
        }
        let loaded = await load(pending)
        state.withLock { state in state.loaded.formUnion(loaded.intersection(state.indexed)) }
        return loaded.count == pending.count
    }

    /// Loads `tables` into the store, a few at a time.
    /// - Returns: The tables read (a route, a malformed node or no node); not those whose read failed.
    private func load(_ tables: [String]) async -> Set<String> {
        await withTaskGroup(of: String?.self) { group in
            var loaded: Set<String> = []
            var next = tables.makeIterator()
            func add() -> Bool {
                guard let table = next.next() else { return false }
                group.addTask {
                    do throws(RouteError) {
                        _ = try await self.store.route(for: table)
                        return table
                    } catch where error.code == .sourceUnavailable {
                        return nil
                    } catch {
                        // No route node (the scanner removes the entry) or a malformed one: the store reports it.
                        return table
                    }
                }
                return true
            }
            for _ in 0..<Self.loadConcurrency where !add() { break }
            while let done = await group.next() {
                if let done { loaded.insert(done) }
                _ = add()
            }
            return loaded
        }
    }

    private func logFailure(_ error: ZooKeeperError) {
        logger.warning(
            "Reading the protected-table index failed; retrying",
            metadata: [FailoverLoggingKeys.zkPath: "\(index)", FailoverLoggingKeys.error: "\(error)"]
        )
    }
}
