import Foundation
import Logging
import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@testable import Router

/// Unknown table names are the clients': they must not evict real routes nor leave ZooKeeper
/// watches behind, and re-reading a node must not pile up watches on it.
@Suite("ZooKeeperRouteStore unknown names and watches", .serialized, .timeLimit(.minutes(3)))
struct ZooKeeperRouteStoreNegativeTests {
    static let m1 = "127.0.0.1:34601"

    @Test("2,000 unknown names, then ZooKeeper stopped: a previously cached table still routes")
    func unknownNamesDoNotEvictRoutes() async throws {
        try await ThrowawayZooKeeper.withClient { server, client in
            try await client.connect()
            try await client.put("/routes/t1", rfcRoute("c1", [Self.m1]))
            try await ZooKeeperRouteStoreTests.withStore(client: client, root: "/routes", capacity: 16) { store, _ in
                let t1 = try await store.route(for: "t1")
                for index in 0..<2_000 {
                    let error = await #expect(throws: RouteError.self) { try await store.route(for: "nosuch\(index)") }
                    if error?.code != .unknownTable { Issue.record("nosuch\(index): \(String(describing: error))") }
                }
                try await server.kill()
                #expect(await eventually { !store.isReady })
                #expect(store.cachedRoute(for: "t1") == t1)
                #expect(try await store.route(for: "t1") == t1)
            }
        }
    }

    @Test("unknown names leave no watch: the client's registered watches and the store's armed watches stay the same")
    func unknownNamesLeaveNoWatch() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(root + "/t1", rfcRoute("c1", [Self.m1]))
            try await ZooKeeperRouteStoreTests.withStore(client: client, root: root) { store, _ in
                _ = try await store.route(for: "t1")
                let watches = client.registeredWatchCount
                #expect(watches >= 1)
                for index in 0..<500 {
                    _ = await #expect(throws: RouteError.self) { try await store.route(for: "nosuch\(index)") }
                }
                #expect(client.registeredWatchCount == watches)
                #expect(store.armedWatches == 1)
            }
        }
    }

    @Test("a table read again after its eviction keeps one watch: repeated reloads do not add watches")
    func reloadsKeepOneWatchPerNode() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(root + "/t1", rfcRoute("c1", [Self.m1]))
            try await client.put(root + "/t2", rfcRoute("c1", [Self.m1]))
            try await ZooKeeperRouteStoreTests.withStore(client: client, root: root, capacity: 1) { store, log in
                _ = try await store.route(for: "t1")
                _ = try await store.route(for: "t2")
                let watches = client.registeredWatchCount
                for _ in 0..<50 {
                    _ = try await store.route(for: "t1")  // evicts t2
                    _ = try await store.route(for: "t2")  // evicts t1
                }
                #expect(client.registeredWatchCount == watches)
                #expect(store.armedWatches == 2)

                // The one watch still follows the node.
                try await client.put(root + "/t2", rfcRoute("c2", [Self.m1]))
                let changed = try ZooKeeperRouteStoreTests.route("t2", "c2", [Self.m1])
                #expect(await log.waitFor { $0 == .updated(changed) })
                #expect(await eventually { client.registeredWatchCount == watches })
            }
        }
    }

    @Test("a table created after a negative lookup is routable within the negative TTL")
    func createdTableRoutableWithinTTL() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await ZooKeeperRouteStoreTests.withStore(client: client, root: root, negativeCacheTTL: .milliseconds(300)) {
                store, _ in
                _ = await #expect(throws: RouteError.self) { try await store.route(for: "late") }
                try await client.put(root + "/late", rfcRoute("c1", [Self.m1]))
                let late = try ZooKeeperRouteStoreTests.route("late", "c1", [Self.m1])
                #expect(await eventually(within: .seconds(20)) { (try? await store.route(for: "late")) == late })
            }
        }
    }

    @Test("the negative cache is bounded: beyond its capacity the oldest names are read again")
    func negativeCacheIsBounded() async throws {
        try await TestZooKeeper.withRoot { client, root in
            try await ZooKeeperRouteStoreTests.withStore(client: client, root: root, negativeCacheCapacity: 4) { store, _ in
                for index in 0..<8 {
                    _ = await #expect(throws: RouteError.self) { try await store.route(for: "n\(index)") }
                }
                let reads = store.zooKeeperRequests
                _ = await #expect(throws: RouteError.self) { try await store.route(for: "n7") }
                #expect(store.zooKeeperRequests == reads)
                _ = await #expect(throws: RouteError.self) { try await store.route(for: "n0") }
                #expect(store.zooKeeperRequests == reads + 1)
            }
        }
    }
}
