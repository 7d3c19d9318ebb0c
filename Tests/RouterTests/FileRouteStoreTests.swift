import Foundation
import Logging
import PegasusWire
import RouteModel
import Synchronization
import TestSupport
import Testing

@testable import Router

@Suite("FileRouteStore", .serialized, .timeLimit(.minutes(1)))
struct FileRouteStoreTests {
    /// A logger that drops everything.
    static let quiet = TestLogging.quiet

    static let twoTables = """
        tables:
          t1: { cluster: c1, meta_addrs: ["127.0.0.1:34601", "127.0.0.1:34602"] }
          t2: { cluster: c2, meta_addrs: "127.0.0.1:34611", backups: [{ cluster: c1, meta_addrs: ["127.0.0.1:34601"] }] }
        """

    @Test func loadsEveryRouteAtStart() async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write("routes.yaml", Self.twoTables)
        let store = try FileRouteStore(file: file, logger: Self.quiet)
        #expect(store.isReady)
        #expect(store.allCachedRoutes().map(\.table) == ["t1", "t2"])
        #expect(store.cachedRoute(for: "t2")?.backups.map(\.name) == ["c1"])
        let routes: any RouteStore = store
        #expect(try await routes.route(for: "t1").primary.name == "c1")
        let error = await #expect(throws: RouteError.self) { try await routes.route(for: "t9") }
        #expect(error?.code == .unknownTable)
        #expect(error?.table == "t9")
        #expect(error?.description.contains("t9") == true)
        #expect(store.cachedRoute(for: "t9") == nil)
    }

    @Test func loadErrorsNameFileAndKeyPath() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "routes.yaml",
            "tables:\n  t2: { cluster: c2, meta_addrs: [\"h:1\", \"x:y\"] }\n"
        )
        let error = #expect(throws: RouteError.self) { try FileRouteStore(file: file, logger: Self.quiet) }
        #expect(error?.code == .malformed)
        #expect(error?.description.hasPrefix("\(file): tables.t2.meta_addrs[1]: \"x:y\" is not host:port") == true)

        let missing = #expect(throws: RouteError.self) {
            try FileRouteStore(file: directory.path + "/absent.yaml", logger: Self.quiet)
        }
        #expect(missing?.code == .sourceUnavailable)
        #expect(missing?.source == directory.path + "/absent.yaml")
    }

    /// Makes the poll loop of a running store look at its file once, on a manual clock.
    struct Poller: Sendable {
        let clock: ManualClock
        let interval: Duration

        /// Ends the loop's current sleep and returns once the poll is done (the loop sleeps again).
        func poll() async {
            await clock.waitForSleepers()
            clock.advance(by: interval)
            await clock.waitForSleepers()
        }
    }

    /// Creates a store over a fresh ``twoTables`` file, polled on a manual clock, subscribes to its changes,
    /// runs `body` while `run()` runs (it polls when the body calls ``Poller/poll()``), then cancels `run()`
    /// and removes the file.
    static func withRunningStore(
        logger: Logger = quiet,
        _ body: (RouteTestDirectory, FileRouteStore, AsyncStream<RouteChange>, Poller) async throws -> Void
    ) async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write("routes.yaml", twoTables)
        let clock = ManualClock()
        let store = try FileRouteStore(file: file, reloadInterval: .seconds(1), clock: clock, logger: logger)
        let changes = store.routeChanges()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            try await body(directory, store, changes, Poller(clock: clock, interval: store.reloadInterval))
            group.cancelAll()
        }
    }

    /// The next `count` changes of `stream`, or fewer if none comes for 10 s (that bound only ends a failing test).
    static func next(_ count: Int, of stream: AsyncStream<RouteChange>) async -> [RouteChange] {
        await withTaskGroup(of: [RouteChange].self) { group in
            group.addTask {
                var changes: [RouteChange] = []
                for await change in stream {
                    changes.append(change)
                    if changes.count == count { break }
                }
                return changes
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return []
            }
            let first = await group.next() ?? []
            group.cancelAll()
            return first
        }
    }

    /// SIGHUP's entry: reloads at once, without the poll loop.
    @Test func reloadNowReadsTheChangedFileAtOnce() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write("routes.yaml", Self.twoTables)
        let store = try FileRouteStore(file: file, reloadInterval: .seconds(3600), logger: Self.quiet)
        try directory.write("routes.yaml", "tables:\n  t1: { cluster: c1, meta_addrs: [\"127.0.0.1:34601\"] }\n")
        #expect(store.reloadNow() == [.updated(try #require(store.cachedRoute(for: "t1"))), .removed(table: "t2")])
        #expect(store.allCachedRoutes().map(\.table) == ["t1"])
        #expect(store.reloadNow().isEmpty)
    }

    @Test func reloadPublishesUpdatesAndRemovals() async throws {
        try await Self.withRunningStore { directory, store, changes, poller in
            let otherSubscriber = store.routeChanges()
            try directory.write(
                "routes.yaml",
                """
                tables:
                  t1: { cluster: c1, meta_addrs: ["127.0.0.1:34601", "127.0.0.1:34602"] }
                  t3: { cluster: c3, meta_addrs: ["127.0.0.1:34621"] }
                """
            )
            await poller.poll()
            let received = await Self.next(2, of: changes)
            #expect(received.map(\.table) == ["t2", "t3"])
            #expect(received.first == .removed(table: "t2"))
            guard case .updated(let route) = received.last else {
                Issue.record("expected an update of t3, got \(received)")
                return
            }
            #expect(route.primary.name == "c3")
            #expect(await Self.next(2, of: otherSubscriber) == received)
            #expect(store.cachedRoute(for: "t2") == nil)
            #expect(store.cachedRoute(for: "t3") == route)
            #expect(store.allCachedRoutes().map(\.table) == ["t1", "t3"])
        }
    }

    @Test func badReloadKeepsTheOldRoutesAndLogsTheKey() async throws {
        let (logger, logs) = RecordingLogHandler.logger()
        try await Self.withRunningStore(logger: logger) { directory, store, changes, poller in
            let before = store.allCachedRoutes()
            try directory.write("routes.yaml", "tables:\n  t1: { cluster: c1, meta_addrs: [\"h:1\", \"x:y\"] }\n")
            await poller.poll()
            let record = try #require(logs.all.first { $0.level == .error })
            #expect(record.metadata["config.key"] == "tables.t1.meta_addrs[1]")
            #expect(record.error?.contains("\"x:y\" is not host:port") == true)
            #expect(store.allCachedRoutes() == before)
            // The same broken file on the next poll is not logged again.
            await poller.poll()

            // A good file afterwards is picked up again, and only its difference is published.
            try directory.write(
                "routes.yaml",
                Self.twoTables.replacingOccurrences(of: "127.0.0.1:34611", with: "127.0.0.1:34612")
            )
            await poller.poll()
            let received = await Self.next(1, of: changes)
            #expect(received.map(\.table) == ["t2"])
            #expect(store.cachedRoute(for: "t2")?.primary.metas.map(\.description) == ["127.0.0.1:34612"])
            #expect(logs.all.filter { $0.level == .error }.count == 1)
        }
    }

    @Test func inPlaceEditOfTheSameSizeIsSeen() async throws {
        try await Self.withRunningStore { _, store, changes, poller in
            // Same size, same inode, likely the same modification-time tick: only the content hash tells.
            let edited = Self.twoTables.replacingOccurrences(of: "cluster: c1,", with: "cluster: c9,")
            #expect(edited.utf8.count == Self.twoTables.utf8.count)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: store.file))
            try handle.write(contentsOf: Data(edited.utf8))
            try handle.close()
            await poller.poll()
            let received = await Self.next(1, of: changes)
            #expect(received.map(\.table) == ["t1"])
            #expect(store.cachedRoute(for: "t1")?.primary.name == "c9")
        }
    }

    @Test func runFinishesTheChangeStreamsWhenCancelled() async throws {
        var subscription: AsyncStream<RouteChange>?
        try await Self.withRunningStore { _, _, changes, _ in subscription = changes }
        // Without a change the stream has nothing; it must end because run() ended, or this loop hangs.
        var count = 0
        for await _ in try #require(subscription) { count += 1 }
        #expect(count == 0)
    }

    @Test func changesAreADiffSortedByTable() throws {
        let c1 = ClusterRoute(name: "c1", metas: [try Endpoint(parsing: "h:1")])
        let c2 = ClusterRoute(name: "c2", metas: [try Endpoint(parsing: "h:2")])
        let old = [
            "a": Route(table: "a", primary: c1), "b": Route(table: "b", primary: c1),
            "c": Route(table: "c", primary: c1),
        ]
        let new = [
            "a": Route(table: "a", primary: c1), "b": Route(table: "b", primary: c2),
            "d": Route(table: "d", primary: c2),
        ]
        let changes = FileRouteStore.changes(from: old, to: new)
        #expect(
            changes == [
                .updated(Route(table: "b", primary: c2)), .removed(table: "c"),
                .updated(Route(table: "d", primary: c2)),
            ]
        )
    }

    /// The proxy's per-loop resolutions are reused while the generation stays: it must move with
    /// every reload that changes or removes a route, and only then.
    @Test func generationAdvancesWhenARouteChangesOrGoes() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write("routes.yaml", Self.twoTables)
        let store = try FileRouteStore(file: file, reloadInterval: .seconds(3600), logger: Self.quiet)
        let start = store.generation
        #expect(store.reloadNow().isEmpty)
        #expect(store.generation == start)

        // t2's MetaServer changes.
        try directory.write("routes.yaml", Self.twoTables.replacingOccurrences(of: "127.0.0.1:34611", with: "127.0.0.1:34612"))
        #expect(store.reloadNow().map(\.table) == ["t2"])
        let changed = store.generation
        #expect(changed != start)

        // A file that does not parse changes nothing.
        try directory.write("routes.yaml", "tables:\n  t1: { cluster: c1, meta_addrs: [\"x:y\"] }\n")
        #expect(store.reloadNow().isEmpty)
        #expect(store.generation == changed)

        // t2 removed.
        try directory.write("routes.yaml", "tables:\n  t1: { cluster: c1, meta_addrs: [\"127.0.0.1:34601\", \"127.0.0.1:34602\"] }\n")
        #expect(store.reloadNow() == [.removed(table: "t2")])
        #expect(store.generation != changed)
        #expect(store.cachedRoute(for: "t2") == nil)
    }
}
