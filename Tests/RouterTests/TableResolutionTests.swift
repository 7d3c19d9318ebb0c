import Foundation
import NIOCore
import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@testable import Router

/// Each event loop keeps a table's resolution (``TableResolution``: active cluster, client, query
/// counter) while the route store's and the effective routes' generations stay put. These tests
/// change the sources under a proxy whose loops already resolved the table, and check that the very
/// next query goes where the sources now say: real proxy, real sockets, simulated clusters, real
/// ZooKeeper for the ZooKeeper store.
@Suite("Per-loop table resolutions (in-process proxy, simulated clusters)", .serialized, .timeLimit(.minutes(3)))
struct TableResolutionTests {
    /// Runs `body` with clusters A (`t1`, `t2`, `t3`) and B (`t1`, `t2`, `t3`, app ids from 100):
    /// the app id in a reply tells which cluster answered.
    static func withClusters(_ body: (SimCluster, SimCluster) async throws -> Void) async throws {
        let tables = [("t1", 4), ("t2", 4), ("t3", 4)]
        let a = try await SimClusters.start("simA", tables: tables)
        let b = try await SimClusters.start("simB", tables: tables, appIdBase: 100)
        try await SimClusters.stopping([a, b]) { try await body(a, b) }
    }

    static func appId(_ cluster: SimCluster, _ table: String) -> Int32? {
        cluster.tables.first { $0.name == table }?.appId
    }

    /// Sends `count` queries of `table` (pipelined, one connection: one event loop) and returns the
    /// app ids of the replies (`nil` for a reply without `ERR_OK`).
    static func ask(_ client: ProxyTestClient, _ table: String, count: Int = 5, seqid: inout Int32) async throws
        -> [Int32?]
    {
        var frames: [RequestFrame] = []
        for _ in 0..<count {
            seqid += 1
            frames.append(ProxyTestClient.query(table, seqid: seqid))
        }
        try await client.send(frames)
        var ids: [Int32?] = []
        for _ in 0..<count {
            let reply = try #require(await client.nextQueryReply())
            ids.append(reply.response?.err == .ok ? reply.response?.appId : nil)
        }
        return ids
    }

    static func routesYAML(_ tables: [(String, SimCluster)]) -> String {
        "tables:\n"
            + tables.map { table, cluster in
                let metas = cluster.metaAddresses.map { "\"\($0)\"" }.joined(separator: ", ")
                return "  \(table): { cluster: \(cluster.configuration.name), meta_addrs: [\(metas)] }\n"
            }.joined()
    }

    @Test("a routes file reload moves a resolved table: the next query goes to the new cluster, and back")
    func fileReloadMovesTable() async throws {
        try await Self.withClusters { a, b in
            let directory = try RouteTestDirectory()
            defer { directory.remove() }
            let file = try directory.write("routes.yaml", Self.routesYAML([("t1", a), ("t2", a)]))
            let store = try FileRouteStore(file: file, reloadInterval: .seconds(3600), logger: ProxyHarness.quiet)
            try await ProxyHarness.run(routes: store) { proxy in
                let client = try await proxy.client()
                var seqid: Int32 = 0
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                #expect(try await proxy.resolvedTables() == 1)

                let before = store.generation
                try directory.write("routes.yaml", Self.routesYAML([("t1", b), ("t2", a)]))
                #expect(store.reloadNow().map(\.table) == ["t1"])
                #expect(store.generation != before)
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(b, "t1"), count: 5))
                #expect(try await Self.ask(client, "t2", seqid: &seqid) == Array(repeating: Self.appId(a, "t2"), count: 5))

                try directory.write("routes.yaml", Self.routesYAML([("t1", a), ("t2", a)]))
                #expect(!store.reloadNow().isEmpty)
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))

                // Removed from the file: unknown table at once, however long it was resolved.
                try directory.write("routes.yaml", Self.routesYAML([("t2", a)]))
                #expect(store.reloadNow() == [.removed(table: "t1")])
                let gone = try await Self.ask(client, "t1", count: 1, seqid: &seqid)
                #expect(gone == [nil])
                await client.close()
            }
        }
    }

    @Test("a ZooKeeper route node set moves a resolved table at once; deleted, it is an unknown table")
    func zooKeeperNodeSetMovesTable() async throws {
        try await Self.withClusters { a, b in
            try await TestZooKeeper.withRoot { zk, root in
                try await zk.put(root + "/t1", rfcRoute("simA", a.metaAddresses))
                try await ZooKeeperRouteStoreTests.withStore(client: zk, root: root) { store, log in
                    let metrics = ProxyMetrics(factory: CountingMetricsFactory())
                    try await ProxyHarness.run(routes: store, metrics: metrics) { proxy in
                        let client = try await proxy.client()
                        var seqid: Int32 = 0
                        #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))

                        let before = store.generation
                        try await zk.put(root + "/t1", rfcRoute("simB", b.metaAddresses))
                        let moved = try ZooKeeperRouteStoreTests.route("t1", "simB", b.metaAddresses)
                        #expect(await log.waitFor { $0 == .updated(moved) })
                        #expect(store.generation != before)
                        #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(b, "t1"), count: 5))

                        try await zk.delete(root + "/t1")
                        #expect(await log.waitFor { $0 == .removed(table: "t1") })
                        let gone = try await Self.ask(client, "t1", count: 1, seqid: &seqid)
                        #expect(gone == [nil])
                        await client.close()
                    }
                    // Every query with a route counted under t1, the last one under _unknown.
                    let series = metrics.tableSeries().first { $0.metric == "client_query_config_count" }?.series ?? []
                    #expect(series.first { $0.table == "t1" }?.value == 10)
                    #expect(series.first { $0.table == "_unknown" }?.value == 1)
                }
            }
        }
    }

    @Test("an effective route switched to the backup and back: each next query goes to the active cluster")
    func effectiveSwitchAndBack() async throws {
        try await Self.withClusters { a, b in
            let route = try Route(
                table: "t1", primary: SimClusters.route("t1", to: a).primary,
                backups: [SimClusters.route("t1", to: b).primary])
            let effective = SwitchableRoutes()
            try await ProxyHarness.run(routes: FixedRouteStore([route]), effective: effective) { proxy in
                let client = try await proxy.client()
                var seqid: Int32 = 0
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                let before = effective.generation
                effective.switchTable("t1", to: "simB")
                #expect(effective.generation != before)
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(b, "t1"), count: 5))
                effective.switchBack("t1")
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                await client.close()
            }
        }
    }

    @Test("a table evicted from the ZooKeeper store's LRU is loaded again on its next query and answered")
    func lruEvictionStillAnswers() async throws {
        try await Self.withClusters { a, _ in
            try await TestZooKeeper.withRoot { zk, root in
                for table in ["t1", "t2"] { try await zk.put(root + "/" + table, rfcRoute("simA", a.metaAddresses)) }
                try await ZooKeeperRouteStoreTests.withStore(client: zk, root: root, capacity: 1) { store, _ in
                    try await ProxyHarness.run(routes: store) { proxy in
                        let client = try await proxy.client()
                        var seqid: Int32 = 0
                        // The first batch waits for t1's load; the second resolves t1 on this loop.
                        #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                        #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                        #expect(try await proxy.resolvedTables() == 1)
                        let before = store.generation
                        // t2 takes the only slot: t1 is evicted.
                        #expect(try await Self.ask(client, "t2", seqid: &seqid) == Array(repeating: Self.appId(a, "t2"), count: 5))
                        #expect(store.cachedRoute(for: "t1") == nil)
                        #expect(store.generation != before)
                        let reads = store.zooKeeperRequests
                        // t1's resolution is stale: its next query loads it again (one read) and is answered.
                        #expect(try await Self.ask(client, "t1", count: 1, seqid: &seqid) == [Self.appId(a, "t1")])
                        #expect(store.zooKeeperRequests == reads + 1)
                        #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                        await client.close()
                    }
                }
            }
        }
    }

    @Test("a table the proxy serves from its resolution is still marked used in the store's LRU")
    func resolvedTableStaysRecentlyUsed() async throws {
        try await Self.withClusters { a, _ in
            try await TestZooKeeper.withRoot { zk, root in
                for table in ["t1", "t2", "t3"] {
                    try await zk.put(root + "/" + table, rfcRoute("simA", a.metaAddresses))
                }
                try await ZooKeeperRouteStoreTests.withStore(client: zk, root: root, capacity: 2) { store, _ in
                    try await ProxyHarness.run(routes: store) { proxy in
                        let client = try await proxy.client()
                        var seqid: Int32 = 0
                        // The first query loads t1; the second resolves it on this loop.
                        _ = try await Self.ask(client, "t1", count: 1, seqid: &seqid)
                        _ = try await Self.ask(client, "t1", count: 1, seqid: &seqid)
                        #expect(try await proxy.resolvedTables() == 1)
                        // t2 is cached after t1 (outside the proxy): t1 is now the least recently used.
                        _ = try await store.route(for: "t2")
                        #expect(store.allCachedRoutes().map(\.table) == ["t1", "t2"])
                        // Past the touch interval, a query of t1 asks the store again, which marks t1 used...
                        try await Task.sleep(for: .milliseconds(1_200))
                        #expect(try await Self.ask(client, "t1", count: 1, seqid: &seqid) == [Self.appId(a, "t1")])
                        // ...so t3 evicts t2, not t1.
                        _ = try await store.route(for: "t3")
                        #expect(store.allCachedRoutes().map(\.table) == ["t1", "t3"])
                        await client.close()
                    }
                }
            }
        }
    }

    @Test("the idle-client sweep drops the resolutions; a table whose client was closed gets a new one")
    func sweepDropsResolutions() async throws {
        try await Self.withClusters { a, b in
            let routes = FixedRouteStore([try SimClusters.route("t1", to: a), try SimClusters.route("t2", to: b)])
            let upstream = UpstreamSettings(idleClientTimeout: .seconds(1))
            try await ProxyHarness.run(routes: routes, upstream: upstream) { proxy in
                let client = try await proxy.client()
                var seqid: Int32 = 0
                #expect(try await Self.ask(client, "t1", count: 1, seqid: &seqid) == [Self.appId(a, "t1")])
                #expect(try await Self.ask(client, "t2", count: 1, seqid: &seqid) == [Self.appId(b, "t2")])
                #expect(try await proxy.resolvedTables() == 2)
                #expect(await proxy.clusterClients() == 2)
                // A's client goes idle; B's next query sweeps it (and every resolution with it).
                try await Task.sleep(for: .milliseconds(2_200))
                #expect(try await Self.ask(client, "t2", count: 1, seqid: &seqid) == [Self.appId(b, "t2")])
                #expect(await proxy.clusterClients() == 1)
                #expect(try await proxy.resolvedTables() == 0)
                // t1 is resolved again, to a new client of A.
                #expect(try await Self.ask(client, "t1", seqid: &seqid) == Array(repeating: Self.appId(a, "t1"), count: 5))
                #expect(await proxy.clusterClients() == 2)
                #expect(try await proxy.resolvedTables() == 1)
                await client.close()
            }
        }
    }
}
