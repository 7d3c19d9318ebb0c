import FailoverPolicy
import Foundation
import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl
@testable import Router

/// The failover catalog over the protected-table index: what an instance reads and watches at start,
/// and the decider's reconciliation scan, against the real ZooKeeper named by `ZK_ADDRESS` (its
/// `wchc` four-letter word lists the data watches).
@Suite("Protected-table catalog", .serialized, .timeLimit(.minutes(3)))
struct ProtectedCatalogTests {
    static let a = ClusterRoute(name: "a", metas: [Endpoint(literalHost: "127.0.0.1", port: 1001)])
    static let b = ClusterRoute(name: "b", metas: [Endpoint(literalHost: "127.0.0.1", port: 2001)])
    static let protectedJSON = #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"],"backups":[{"cluster":"b","meta-addrs":["127.0.0.1:2001"]}]}"#
    static let plainJSON = #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"]}"#

    /// Creates `count` route nodes without backups (`raw00000`…) with plain creates, 500 per multi-op.
    static func createRawNodes(_ client: ZooKeeperClient, root: String, count: Int) async throws {
        let data = Array(plainJSON.utf8)
        for start in stride(from: 0, to: count, by: 500) {
            let operations = (start..<min(start + 500, count)).map { index in
                ZooKeeperOperation.create(path: root + "/raw" + String(format: "%05d", index), data: data)
            }
            try await client.multi(operations)
        }
    }

    static func indexed(_ client: ZooKeeperClient, _ paths: FailoverPaths) async throws -> [String] {
        do throws(ZooKeeperError) {
            return try await client.children(paths.protectedIndex).sorted()
        } catch where error.code == .noNode {
            return []
        }
    }

    @Test("startup with 5,000 unrouted route nodes reads and watches only the indexed tables; unprotected tables get no failover-node watch")
    func startupReadsOnlyIndexedTables() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let writer = try await FailoverTesting.connectedClient()
        try await writer.create(paths.base, createParents: true)
        try await Self.createRawNodes(writer, root: root, count: 5_000)
        let admin = RouteAdmin(client: writer, root: root)
        for table in ["p1", "p2", "p3"] {
            try await admin.set(Route(table: table, primary: Self.a, backups: [Self.b]))
        }
        #expect(try await Self.indexed(writer, paths) == ["p1", "p2", "p3"])

        let client = try await FailoverTesting.connectedClient()
        let sessionID = try #require(client.sessionID)
        let catalog = ZooKeeperRouteStore(client: client, root: root, capacity: 1 << 20, negativeCacheTTL: .zero, logger: FailoverTesting.logger)
        let loader = RouteCatalogLoader(client: client, root: root, store: catalog, logger: FailoverTesting.logger)
        let store = ZooKeeperFailoverStateStore(
            client: client, paths: paths, routes: catalog, metrics: FailoverMetrics(), logger: FailoverTesting.logger)
        let services = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { try? await catalog.run() }
                group.addTask { try? await loader.run() }
                group.addTask { try? await store.run() }
            }
        }
        defer { services.cancel() }
        #expect(await eventually { catalog.allCachedRoutes().map(\.table) == ["p1", "p2", "p3"] })
        #expect(await eventually { ["p1", "p2", "p3"].allSatisfy { store.state(of: $0) == .absent } })
        // Three route reads, none of the 5,000 other nodes.
        #expect(catalog.zooKeeperRequests == 3)
        let protectedWatches = ["p1", "p2", "p3"].flatMap { [root + "/" + $0, paths.effectiveRoute(of: $0)] }
        // `wchc` lists data (and exists) watches; the one child watch, on the index, is not listed.
        let expected = (protectedWatches + [paths.paused]).sorted()
        _ = await eventually(within: .seconds(5)) { (try? TestZooKeeper.watchedPaths(session: sessionID)) == expected }
        let watched = try TestZooKeeper.watchedPaths(session: sessionID)
        let dump = (try? TestZooKeeper.fourLetterWord("wchc")) ?? "-"
        #expect(watched == expected, "watched \(watched), session \(sessionID): \(dump)")

        // Routing an unprotected table never reads or watches its failover node.
        let plain = Route(table: "raw00042", primary: Self.a)
        #expect(store.activeCluster(for: plain) == Self.a)
        #expect(store.state(of: "raw00042") == .unknown)
        // A protected table queried here is followed (one more failover-node watch).
        let late = Route(table: "raw00043", primary: Self.a, backups: [Self.b])
        #expect(store.activeCluster(for: late) == Self.a)
        #expect(await eventually { store.state(of: "raw00043") == .absent })
        #expect(try TestZooKeeper.watchedPaths(session: sessionID) == (expected + [paths.effectiveRoute(of: "raw00043")]).sorted())

        // A table that joins the index is loaded and watched; one that leaves it is dropped.
        try await admin.set(Route(table: "p4", primary: Self.a, backups: [Self.b]))
        try await admin.set(Route(table: "p1", primary: Self.a))
        _ = await eventually(within: .seconds(5)) { catalog.allCachedRoutes().map(\.table) == ["p2", "p3", "p4"] }
        #expect(catalog.allCachedRoutes().map(\.table) == ["p2", "p3", "p4"])
        #expect(loader.indexedTables() == ["p2", "p3", "p4"])
        services.cancel()
        _ = await services.value
        await client.close()
        await writer.deleteTree(root)
        await writer.close()
    }

    @Test("the decider's scan indexes a route with backups written raw and removes stale entries; a non-decider does not scan")
    func deciderScanRepairsTheIndex() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let first = try await FailoverTesting.connectedClient()
        let second = try await FailoverTesting.connectedClient()
        try await first.create(paths.base, createParents: true)
        // Written by another tool (zkCli, the Go proxy): plain creates, no index entry.
        try await first.put(root + "/raw_protected", Self.protectedJSON)
        try await first.put(root + "/raw_plain", Self.plainJSON)
        try await first.put(root + "/broken", "{not json")
        // Stale entries: a route without backups, and no route at all.
        try await first.create(paths.protectedIndexEntry(of: "raw_plain"), createParents: true)
        try await first.create(paths.protectedIndexEntry(of: "gone"))

        let electionA = DeciderElection(
            client: first, paths: paths, instanceID: "a", metrics: FailoverMetrics(), logger: FailoverTesting.logger)
        let electing = Task { await electionA.run() }
        defer { electing.cancel() }
        #expect(await eventually { electionA.isDecider })
        let electionB = DeciderElection(
            client: second, paths: paths, instanceID: "b", metrics: FailoverMetrics(), logger: FailoverTesting.logger)
        let electingB = Task { await electionB.run() }
        defer { electingB.cancel() }
        #expect(await eventually { electionB.status().candidates == 2 })

        let settings = ProtectedIndexScanner.Settings(readsPerSecond: 1_000, interval: .seconds(3600), batchSize: 2)
        let follower = ProtectedIndexScanner(
            client: second, paths: paths, election: electionB, settings: settings, logger: FailoverTesting.logger)
        let nothing = await follower.scan()
        #expect(nothing.complete == false)
        #expect(nothing.read == 0)

        let scanner = ProtectedIndexScanner(
            client: first, paths: paths, election: electionA, settings: settings, logger: FailoverTesting.logger)
        let result = await scanner.scan()
        #expect(result.complete)
        #expect(result.added == ["raw_protected"])
        #expect(result.removed.sorted() == ["gone", "raw_plain"])
        #expect(try await Self.indexed(first, paths) == ["raw_protected"])
        // A second pass finds nothing to do.
        let again = await scanner.scan()
        #expect(again.added == [] && again.removed == [] && again.complete)
        #expect(again.read == 3)

        // Run as a service: a route written raw later is indexed by the next pass.
        let running = ProtectedIndexScanner(
            client: first, paths: paths, election: electionA,
            settings: ProtectedIndexScanner.Settings(readsPerSecond: 1_000, interval: .seconds(1), initialDelay: .zero),
            logger: FailoverTesting.logger)
        let scanning = Task { try? await running.run() }
        defer { scanning.cancel() }
        try await first.put(root + "/raw_later", Self.protectedJSON)
        #expect(await eventually { (try? await Self.indexed(first, paths)) == ["raw_later", "raw_protected"] })
        scanning.cancel()
        _ = await scanning.value
        electingB.cancel()
        await electingB.value
        electing.cancel()
        await electing.value
        await second.close()
        await first.deleteTree(root)
        await first.close()
    }
}
