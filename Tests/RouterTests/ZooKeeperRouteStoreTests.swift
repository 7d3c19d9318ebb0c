import Foundation
import Logging
import PegasusWire
import RouteModel
import Synchronization
import TestSupport
import Testing
import ZooKeeper

@testable import Router

@Suite("ZooKeeperRouteStore", .serialized, .timeLimit(.minutes(3)))
struct ZooKeeperRouteStoreTests {
    static let m1 = "127.0.0.1:34601"
    static let m2 = "127.0.0.1:34602"

    /// Runs `body` with a store over `client` and `root` whose `run()` follows watches and sessions,
    /// and a change stream subscribed before `body` starts; stops the store after.
    static func withStore(
        client: ZooKeeperClient, root: String, capacity: Int = 1024, negativeCacheTTL: Duration = .seconds(5),
        negativeCacheCapacity: Int = 4096, clock: some Clock<Duration> = ContinuousClock(),
        logger: Logger = TestLogging.quiet, _ body: (ZooKeeperRouteStore, ChangeLog) async throws -> Void
    ) async throws {
        let store = ZooKeeperRouteStore(
            client: client, root: root, capacity: capacity, negativeCacheTTL: negativeCacheTTL,
            negativeCacheCapacity: negativeCacheCapacity, clock: clock, logger: logger)
        let log = ChangeLog(store.routeChanges())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            group.addTask { await log.follow() }
            do {
                try await body(store, log)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Every route change a store published, in order.
    final class ChangeLog: Sendable {
        private let stream: AsyncStream<RouteChange>
        private let changes = Mutex<[RouteChange]>([])

        init(_ stream: AsyncStream<RouteChange>) { self.stream = stream }

        func follow() async {
            for await change in stream { changes.withLock { $0.append(change) } }
        }

        var all: [RouteChange] { changes.withLock { $0 } }

        /// Waits until a change satisfying `predicate` was published.
        func waitFor(_ predicate: @escaping (RouteChange) -> Bool) async -> Bool {
            await eventually { all.contains(where: predicate) }
        }
    }

    static func route(_ table: String, _ cluster: String, _ metas: [String]) throws -> Route {
        Route(table: table, primary: ClusterRoute(name: cluster, metas: try metas.map { try Endpoint(parsing: $0) }))
    }

    @Test("a set re-reads the route and publishes it; a delete evicts it and the next lookup is unknownTable")
    func watchFiresAfterSetAndDelete() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(root + "/t1", rfcRoute("c1", [Self.m1]))
            try await Self.withStore(client: client, root: root) { store, log in
                #expect(try await store.route(for: "t1") == Self.route("t1", "c1", [Self.m1]))

                try await client.put(root + "/t1", rfcRoute("c2", [Self.m2]))
                let updated = try Self.route("t1", "c2", [Self.m2])
                #expect(await log.waitFor { $0 == .updated(updated) })
                #expect(store.cachedRoute(for: "t1") == updated)
                #expect(try await store.route(for: "t1") == updated)

                try await client.delete(root + "/t1")
                #expect(await log.waitFor { $0 == .removed(table: "t1") })
                #expect(store.cachedRoute(for: "t1") == nil)
                let error = await #expect(throws: RouteError.self) { try await store.route(for: "t1") }
                #expect(error?.code == .unknownTable)
                #expect(error?.source == root + "/t1")
            }
        }
    }

    @Test("both JSON layouts are read, backups are kept")
    func bothLayoutsAndBackups() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(
                root + "/rfc",
                #"{"cluster":"c1","meta-addrs":["127.0.0.1:34601","127.0.0.1:34602"],"backups":[{"cluster":"c9","meta-addrs":["127.0.0.1:44601"]}],"owner":"x"}"#
            )
            try await client.put(root + "/go", #"{"cluster_name":"c2","meta_addrs":"127.0.0.1:35601,127.0.0.1:35602"}"#)
            try await client.put(root + "/go1", #"{"cluster_name":"c3","meta_addrs":"127.0.0.1:36601"}"#)
            try await Self.withStore(client: client, root: root) { store, _ in
                let rfc = try await store.route(for: "rfc")
                #expect(rfc.primary == ClusterRoute(name: "c1", metas: try Self.route("x", "c1", [Self.m1, Self.m2]).primary.metas))
                #expect(rfc.backups == [try Self.route("x", "c9", ["127.0.0.1:44601"]).primary])
                #expect(try await store.route(for: "go") == Self.route("go", "c2", ["127.0.0.1:35601", "127.0.0.1:35602"]))
                #expect(try await store.route(for: "go1") == Self.route("go1", "c3", ["127.0.0.1:36601"]))
                #expect(store.allCachedRoutes().map(\.table) == ["go", "go1", "rfc"])
            }
        }
    }

    @Test(
        "a malformed node is a typed error naming the node",
        arguments: [
            ("syntax", "{\"cluster\":"),
            ("empty", ""),
            ("nocluster", #"{"meta-addrs":["127.0.0.1:1"]}"#),
            ("noaddrs", #"{"cluster":"c1","meta-addrs":[]}"#),
            ("badaddr", #"{"cluster":"c1","meta-addrs":["127.0.0.1:99999"]}"#),
            ("goempty", #"{"cluster_name":"c1","meta_addrs":""}"#),
            ("notobject", "[1,2]"),
        ])
    func malformedNodes(table: String, json: String) async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await client.create(root + "/" + table, data: Array(json.utf8))
            try await Self.withStore(client: client, root: root) { store, _ in
                let error = await #expect(throws: RouteError.self) { try await store.route(for: table) }
                #expect(error?.code == .malformed)
                #expect(error?.table == table)
                #expect(error?.source == root + "/" + table)
                #expect(error?.description.hasPrefix(root + "/" + table + ": ") == true)
                // Cached as malformed: the second lookup does not read again.
                let reads = store.zooKeeperRequests
                let again = await #expect(throws: RouteError.self) { try await store.route(for: table) }
                #expect(again?.code == .malformed)
                #expect(store.zooKeeperRequests == reads)
            }
        }
    }

    @Test("a malformed update keeps the previous route (logged), and the watch stays armed")
    func malformedUpdateKeepsPreviousRoute() async throws {
        let (logger, records) = RecordingLogHandler.logger()
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(root + "/t1", rfcRoute("c1", [Self.m1]))
            try await Self.withStore(client: client, root: root, logger: logger) { store, log in
                let first = try await store.route(for: "t1")
                let reads = store.zooKeeperRequests
                try await client.put(root + "/t1", #"{"cluster":"c2","meta-addrs":["not an address"]}"#)
                #expect(await eventually { store.zooKeeperRequests > reads })
                #expect(await eventually {
                    records.all.contains { $0.message == "Malformed route node" && $0.metadata["zk.path"] == "\(root)/t1" }
                })
                #expect(store.cachedRoute(for: "t1") == first)
                #expect(try await store.route(for: "t1") == first)

                try await client.put(root + "/t1", rfcRoute("c3", [Self.m2]))
                let fixed = try Self.route("t1", "c3", [Self.m2])
                #expect(await log.waitFor { $0 == .updated(fixed) })
                #expect(store.cachedRoute(for: "t1") == fixed)
                #expect(!log.all.contains { $0 == .removed(table: "t1") })
            }
        }
    }

    @Test("LRU: the least recently used table is evicted and its watch is ignored when it fires")
    func lruEviction() async throws {
        try await TestZooKeeper.withRoot { client, root in
            for table in ["t1", "t2", "t3"] {
                try await client.put(root + "/" + table, rfcRoute("c1", [Self.m1]))
            }
            try await Self.withStore(client: client, root: root, capacity: 2) { store, log in
                for table in ["t1", "t2", "t3"] {
                    _ = try await store.route(for: table)
                }
                #expect(store.cachedRoute(for: "t1") == nil)
                #expect(store.allCachedRoutes().map(\.table) == ["t2", "t3"])
                let reads = store.zooKeeperRequests
                #expect(reads == 3)

                // Watches fire in write order on one session: once t3's change is in, t1's event was handled.
                let t3 = try Self.route("t3", "c2", [Self.m2])
                let seen = log.all.count
                try await client.put(root + "/t1", rfcRoute("c2", [Self.m2]))
                try await client.put(root + "/t3", rfcRoute("c2", [Self.m2]))
                #expect(await log.waitFor { $0 == .updated(t3) })
                #expect(!log.all.dropFirst(seen).contains { $0.table == "t1" })
                #expect(store.cachedRoute(for: "t1") == nil)
                #expect(store.zooKeeperRequests == reads + 1)

                // Looked up again, t1 is read anew (and t2, now the least recently used, goes).
                #expect(try await store.route(for: "t1") == Self.route("t1", "c2", [Self.m2]))
                #expect(store.allCachedRoutes().map(\.table) == ["t1", "t3"])
            }
        }
    }

    @Test("LRU: a table the proxy answers from the cache (cachedRoute) counts as recently used and is not evicted")
    func cachedLookupsKeepATableCached() async throws {
        try await TestZooKeeper.withRoot { client, root in
            for table in ["t1", "t2", "t3"] {
                try await client.put(root + "/" + table, rfcRoute("c1", [Self.m1]))
            }
            try await Self.withStore(client: client, root: root, capacity: 2) { store, _ in
                _ = try await store.route(for: "t1")
                _ = try await store.route(for: "t2")
                // The proxy's hot path: t1 served from the cache, so t2 is now the least recently used.
                #expect(store.cachedRoute(for: "t1") != nil)
                _ = try await store.route(for: "t3")
                #expect(store.allCachedRoutes().map(\.table) == ["t1", "t3"])
                #expect(store.zooKeeperRequests == 3)
            }
        }
    }

    @Test("the default capacity is zookeeper.table_watcher_cache_capacity's documented default")
    func defaultCapacity() {
        #expect(ZooKeeperRouteStore.defaultCapacity == 50_000)
    }

    @Test("an unknown table is cached as absent for the negative TTL (one read, no watch); then its creation is found")
    func negativeCacheExpires() async throws {
        let clock = ManualClock()
        try await TestZooKeeper.withRoot { client, root in
            try await Self.withStore(client: client, root: root, negativeCacheTTL: .seconds(5), clock: clock) { store, log in
                let watches = client.registeredWatchCount
                for _ in 0..<5 {
                    let error = await #expect(throws: RouteError.self) { try await store.route(for: "t9") }
                    #expect(error?.code == .unknownTable)
                }
                #expect(store.zooKeeperRequests == 1)  // one get, without a watch
                #expect(client.registeredWatchCount == watches)

                try await client.put(root + "/t9", rfcRoute("c1", [Self.m1]))
                clock.advance(by: .seconds(4))
                _ = await #expect(throws: RouteError.self) { try await store.route(for: "t9") }
                #expect(store.zooKeeperRequests == 1)
                clock.advance(by: .seconds(1))
                let created = try Self.route("t9", "c1", [Self.m1])
                #expect(try await store.route(for: "t9") == created)
                #expect(store.cachedRoute(for: "t9") == created)
                #expect(await log.waitFor { $0 == .updated(created) })
            }
        }
    }

    @Test("50 concurrent first lookups of one table make one ZooKeeper read")
    func concurrentFirstLookupsShareOneRead() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(root + "/hot", rfcRoute("c1", [Self.m1]))
            try await Self.withStore(client: client, root: root) { store, _ in
                let expected = try Self.route("hot", "c1", [Self.m1])
                try await withThrowingTaskGroup(of: Route.self) { group in
                    for _ in 0..<50 {
                        group.addTask { try await store.route(for: "hot") }
                    }
                    for try await route in group {
                        #expect(route == expected)
                    }
                }
                #expect(store.zooKeeperRequests == 1)
            }
        }
    }

    @Test("ZooKeeper stopped and restarted: cached routes served throughout, uncached fail fast, watches survive")
    func zooKeeperRestart() async throws {
        try await ThrowawayZooKeeper.withClient { server, client in
            try await client.connect()
            try await client.put("/routes/t1", rfcRoute("c1", [Self.m1]))
            try await client.put("/routes/t2", rfcRoute("c1", [Self.m1]))
            try await Self.withStore(client: client, root: "/routes") { store, log in
                let t1 = try await store.route(for: "t1")
                #expect(store.isReady)

                let failures = Mutex<[String]>([])
                let lookups = Atomic<Int>(0)
                let stop = Atomic<Bool>(false)
                async let served: Void = {
                    while !stop.load(ordering: .relaxed), !Task.isCancelled {
                        do {
                            if try await store.route(for: "t1") != t1 { failures.withLock { $0.append("changed") } }
                        } catch {
                            failures.withLock { $0.append("\(error)") }
                        }
                        lookups.add(1, ordering: .relaxed)
                        // Paces the lookups while a real ZooKeeper is killed and restarted; not a wait.
                        try? await Task.sleep(for: .milliseconds(5))
                    }
                }()

                try await server.kill()
                #expect(await eventually { !store.isReady })
                let error = await #expect(throws: RouteError.self) { try await store.route(for: "t2") }
                #expect(error?.code == .sourceUnavailable)
                #expect(error?.source == "/routes/t2")

                try await server.restart()
                #expect(await eventually(within: .seconds(60)) { store.isReady })
                let before = lookups.load(ordering: .relaxed)
                #expect(await eventually { lookups.load(ordering: .relaxed) > before })
                stop.store(true, ordering: .relaxed)
                await served
                #expect(failures.withLock { $0 } == [])

                #expect(try await store.route(for: "t2") == Self.route("t2", "c1", [Self.m1]))
                // The watch set before the restart still fires.
                let changed = try Self.route("t1", "c2", [Self.m2])
                try await client.put("/routes/t1", rfcRoute("c2", [Self.m2]))
                #expect(await log.waitFor { $0 == .updated(changed) })
            }
        }
    }

    @Test("session expiry: every cached table is re-read and re-watched on the new session")
    func sessionExpiry() async throws {
        try await TestZooKeeper.withRoot { admin, root in
            let cutter = try await TCPRelay.start(to: try TestZooKeeper.address())
            let client = try TestZooKeeper.client(hosts: [cutter.address], sessionTimeout: .milliseconds(1500))
            do {
                try await client.connect()
                try await admin.put(root + "/t1", rfcRoute("c1", [Self.m1]))
                try await admin.put(root + "/t2", rfcRoute("c1", [Self.m1]))
                let marker = root + "/session-marker"
                try await client.create(marker, mode: .ephemeral)
                let oldSession = client.sessionID
                try await Self.withStore(client: client, root: root) { store, log in
                    let t1 = try await store.route(for: "t1")
                    _ = try await store.route(for: "t2")
                    _ = await #expect(throws: RouteError.self) { try await store.route(for: "t3") }
                    let reads = store.zooKeeperRequests
                    let generation = store.generation

                    cutter.cut()
                    #expect(await eventually { !store.isReady })
                    // While cut off: cached routes are served, uncached tables fail fast.
                    #expect(try await store.route(for: "t1") == t1)
                    let error = await #expect(throws: RouteError.self) { try await store.route(for: "t4") }
                    #expect(error?.code == .sourceUnavailable)

                    // Meanwhile the routes change, and the server expires the session.
                    try await admin.put(root + "/t1", rfcRoute("c2", [Self.m2]))
                    try await admin.delete(root + "/t2")
                    try await admin.put(root + "/t3", rfcRoute("c3", [Self.m2]))
                    #expect(await eventually(within: .seconds(60)) { (try? await admin.exists(marker)) == .some(nil) })
                    cutter.restore()

                    let (t1New, t3New) = (try Self.route("t1", "c2", [Self.m2]), try Self.route("t3", "c3", [Self.m2]))
                    #expect(await log.waitFor { $0 == .updated(t1New) })
                    #expect(await log.waitFor { $0 == .removed(table: "t2") })
                    // The re-reads on the new session changed t1 and removed t2: each advanced it.
                    #expect(store.generation >= generation + 2)
                    // t3 was absent: it is found once its absence expires (no watch was left for it).
                    #expect(await eventually(within: .seconds(30)) { (try? await store.route(for: "t3")) == t3New })
                    #expect(client.sessionID != oldSession)
                    #expect(store.zooKeeperRequests >= reads + 3)
                    let gone = await #expect(throws: RouteError.self) { try await store.route(for: "t2") }
                    #expect(gone?.code == .unknownTable)

                    // Watched again on the new session.
                    let (t1Later, t3Later) = (try Self.route("t1", "c4", [Self.m1]), try Self.route("t3", "c4", [Self.m1]))
                    try await admin.put(root + "/t1", rfcRoute("c4", [Self.m1]))
                    try await admin.put(root + "/t3", rfcRoute("c4", [Self.m1]))
                    #expect(await log.waitFor { $0 == .updated(t1Later) })
                    #expect(await log.waitFor { $0 == .updated(t3Later) })
                }
            } catch {
                await client.close()
                await cutter.shutdown()
                throw error
            }
            await client.close()
            await cutter.shutdown()
        }
    }

    /// The proxy's per-loop resolutions are reused while the generation stays: it must move whenever
    /// `cachedRoute(for:)` may answer differently for a cached table.
    @Test("the generation advances when a cached route changes, is deleted, evicted or forgotten; not when a table is added")
    func generationFollowsCachedAnswers() async throws {
        try await TestZooKeeper.withRoot { client, root in
            for table in ["t1", "t2", "t3"] {
                try await client.put(root + "/" + table, rfcRoute("c1", [Self.m1]))
            }
            try await Self.withStore(client: client, root: root, capacity: 2) { store, log in
                let start = store.generation
                _ = try await store.route(for: "t1")
                _ = try await store.route(for: "t2")
                #expect(store.cachedRoute(for: "t1") != nil)
                #expect(store.generation == start)

                // t1's node set: the watch re-reads it, another route.
                try await client.put(root + "/t1", rfcRoute("c2", [Self.m2]))
                let updated = try Self.route("t1", "c2", [Self.m2])
                #expect(await log.waitFor { $0 == .updated(updated) })
                let afterSet = store.generation
                #expect(afterSet != start)

                // t3 takes t2's slot (t2 is the least recently used): an eviction.
                _ = try await store.route(for: "t3")
                #expect(store.cachedRoute(for: "t2") == nil)
                let afterEviction = store.generation
                #expect(afterEviction != afterSet)

                // t3's node deleted.
                try await client.delete(root + "/t3")
                #expect(await log.waitFor { $0 == .removed(table: "t3") })
                let afterDelete = store.generation
                #expect(afterDelete != afterEviction)

                // Forgotten (the failover catalog's call).
                store.forget("t1")
                #expect(store.cachedRoute(for: "t1") == nil)
                #expect(store.generation != afterDelete)
            }
        }
    }
}
