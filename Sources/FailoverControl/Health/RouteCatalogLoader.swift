import Logging
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import ZooKeeper

/// Keeps a ``ZooKeeperRouteStore`` filled with **every** table under the root, for the failover
/// runtime: the decider decides for all tables with backups and every instance probes their clusters,
/// not only the tables queried locally.
///
/// Watches the root's children (skipping ``RouteAdmin/reservedChild``) and loads each table into the
/// store, which then follows the node (data watch, deletion, session expiry) by itself. The child list
/// is read again whenever its watch fires and after every reconnection.
///
/// A `Service`: ``run()`` runs until graceful shutdown or cancellation.
public final class RouteCatalogLoader: Service, Sendable {
    private let client: ZooKeeperClient
    private let root: String
    private let store: ZooKeeperRouteStore
    private let retryInterval: Duration
    private let logger: Logger

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
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.store = store
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// Lists and loads the tables on every change of the child list and every reconnection.
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
                for await _ in changes {
                    while !Task.isCancelled, self.client.sessionState == .connected {
                        guard await !self.loadChildren(sink: sink) else { break }
                        try? await Task.sleep(for: self.retryInterval)
                    }
                }
            }
        }
    }

    /// Reads the child list with a watch and loads every table.
    /// - Returns: Whether the list was read.
    private func loadChildren(sink: AsyncStream<Void>.Continuation) async -> Bool {
        let watch: @Sendable (WatchEvent) -> Void = { event in
            if event.type != .session {
                sink.yield()
            }
        }
        let children: [String]
        do throws(ZooKeeperError) {
            children = try await client.children(root, watch: watch)
        } catch where error.code == .noNode {
            // No root yet: wait for its creation.
            do throws(ZooKeeperError) {
                if try await client.exists(root, watch: watch) != nil {
                    sink.yield()
                }
                return true
            } catch {
                logFailure(error)
                return false
            }
        } catch {
            logFailure(error)
            return false
        }
        for table in children.sorted() where table != RouteAdmin.reservedChild {
            // Unknown, malformed and unreachable tables are the store's to report; nothing to do here.
            _ = try? await store.route(for: table)
        }
        return true
    }

    private func logFailure(_ error: ZooKeeperError) {
        logger.warning(
            "Listing the table nodes failed; retrying",
            metadata: [FailoverLoggingKeys.zkPath: "\(root)", FailoverLoggingKeys.error: "\(error)"]
        )
    }
}
