import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@testable import Router

@Suite("RouteAdmin", .serialized, .timeLimit(.minutes(2)))
struct RouteAdminTests {
    static func cluster(_ name: String, _ metas: [String]) throws -> ClusterRoute {
        ClusterRoute(name: name, metas: try metas.map { try Endpoint(parsing: $0) })
    }

    @Test("compare-and-set refuses a node another writer changed or deleted, and writes nothing")
    func compareAndSetConflict() async throws {
        try await TestZooKeeper.withRoot { client, root in
            let admin = RouteAdmin(client: client, root: root)
            let c1 = try Self.cluster("c1", ["127.0.0.1:34601"])
            let c2 = try Self.cluster("c2", ["127.0.0.1:34602"])
            let c3 = try Self.cluster("c3", ["127.0.0.1:34603"])
            try await admin.set(Route(table: "t1", primary: c1))
            let (_, version) = try await admin.get("t1")

            // Another writer re-homes the table between our read and our write.
            try await admin.set(Route(table: "t1", primary: c2))
            let conflict = await #expect(throws: RouteAdmin.Failure.self) {
                try await admin.compareAndSet(Route(table: "t1", primary: c3), expectedVersion: version)
            }
            #expect(conflict?.code == .conflict)
            #expect(conflict?.table == "t1")
            #expect(conflict?.description.contains("changed meanwhile") == true)
            #expect(conflict?.description.contains(root + "/t1") == true)
            #expect(try await admin.get("t1").route.primary == c2)

            // With the current version it goes through.
            let (_, current) = try await admin.get("t1")
            try await admin.compareAndSet(Route(table: "t1", primary: c3), expectedVersion: current)
            #expect(try await admin.get("t1").route.primary == c3)

            try await admin.delete("t1")
            let deleted = await #expect(throws: RouteAdmin.Failure.self) {
                try await admin.compareAndSet(Route(table: "t1", primary: c1), expectedVersion: current + 1)
            }
            #expect(deleted?.code == .conflict)
            #expect(deleted?.description.contains("deleted meanwhile") == true)
            #expect(try await admin.existingRoute("t1") == nil)
        }
    }

    @Test("switch re-homes an existing route and keeps the other backups; an unknown table is refused")
    func switchRoute() async throws {
        try await TestZooKeeper.withRoot { client, root in
            let admin = RouteAdmin(client: client, root: root)
            let c1 = try Self.cluster("c1", ["127.0.0.1:34601"])
            let c2 = try Self.cluster("c2", ["127.0.0.1:34602"])
            let c3 = try Self.cluster("c3", ["127.0.0.1:34603"])
            try await admin.set(Route(table: "t1", primary: c1, backups: [c2, c3]))
            let (before, after) = try await admin.switchRoute("t1", to: c2, backups: nil)
            #expect(before.primary == c1)
            #expect(after == Route(table: "t1", primary: c2, backups: [c3]))
            #expect(try await admin.get("t1").route == after)

            let unknown = await #expect(throws: RouteError.self) {
                try await admin.switchRoute("t9", to: c2, backups: nil)
            }
            #expect(unknown?.code == .unknownTable)
            let badName = await #expect(throws: RouteAdmin.Failure.self) {
                try await admin.set(Route(table: "a/b", primary: c1))
            }
            #expect(badName?.code == .invalidTableName)
        }
    }

    @Test("sync of two clusters sharing a table name: conflict left alone, dry run changes nothing, force overwrites")
    func syncTwoClusters() async throws {
        let a = try SimCluster(
            configuration: SimClusterConfiguration(
                name: "simA", tables: [SimTable(name: "t1", partitionCount: 2), SimTable(name: "shared", partitionCount: 2)]))
        let b = try SimCluster(
            configuration: SimClusterConfiguration(
                name: "simB", tables: [SimTable(name: "t2", partitionCount: 2), SimTable(name: "shared", partitionCount: 2)],
                appIdBase: 100))
        try await a.start()
        try await b.start()
        defer {
            Task {
                await a.stop()
                await b.stop()
            }
        }
        let clusterA = try Self.cluster("simA", a.metaAddresses)
        let clusterB = try Self.cluster("simB", b.metaAddresses)
        try await TestZooKeeper.withRoot { client, root in
            let admin = RouteAdmin(client: client, root: root)
            func actions(_ plan: [RouteAdmin.SyncItem]) -> [String: RouteAdmin.SyncAction] {
                Dictionary(uniqueKeysWithValues: plan.map { ($0.table, $0.action) })
            }

            let first = try await admin.sync(tables: a.tables.map(\.name), cluster: clusterA, force: false, dryRun: false)
            #expect(actions(first) == ["shared": .create, "t1": .create])
            #expect(try await admin.get("shared").route.primary == clusterA)

            let second = try await admin.sync(tables: b.tables.map(\.name), cluster: clusterB, force: false, dryRun: false)
            #expect(actions(second) == ["shared": .conflict, "t2": .create])
            #expect(second.first { $0.table == "shared" }?.currentCluster == "simA")
            #expect(try await admin.get("shared").route.primary == clusterA)
            #expect(try await admin.get("t2").route.primary == clusterB)

            let dryRun = try await admin.sync(tables: b.tables.map(\.name), cluster: clusterB, force: true, dryRun: true)
            #expect(actions(dryRun) == ["shared": .overwrite, "t2": .unchanged])
            #expect(try await admin.get("shared").route.primary == clusterA)

            let forced = try await admin.sync(tables: b.tables.map(\.name), cluster: clusterB, force: true, dryRun: false)
            #expect(actions(forced) == ["shared": .overwrite, "t2": .unchanged])
            #expect(try await admin.get("shared").route.primary == clusterB)

            // A node that is not a valid route is a conflict too (reported with why), never a failed sync.
            try await client.set(root + "/t1", data: Array("{broken".utf8))
            let again = try await admin.sync(tables: a.tables.map(\.name), cluster: clusterA, force: false, dryRun: false)
            #expect(actions(again) == ["shared": .conflict, "t1": .conflict])
            #expect(again.first { $0.table == "t1" }?.note?.contains("invalid route node") == true)
            #expect(try await client.get(root + "/t1").data == Array("{broken".utf8))
        }
    }

    @Test("sync of 2,000 tables writes them concurrently: every node created once, the plan in name order, a second sync finds all unchanged")
    func syncManyTables() async throws {
        let cluster = try Self.cluster("many", ["127.0.0.1:34601"])
        let other = try Self.cluster("other", ["127.0.0.1:34602"])
        let tables = (0..<2_000).map { "t\($0)" }
        try await TestZooKeeper.withRoot { client, root in
            let admin = RouteAdmin(client: client, root: root)
            // One table already routed elsewhere, one routed here: neither is written.
            try await admin.set(Route(table: "t7", primary: other))
            try await admin.set(Route(table: "t8", primary: cluster))
            let plan = try await admin.sync(tables: tables.shuffled(), cluster: cluster, force: false, dryRun: false, concurrency: 32)
            #expect(plan.map(\.table) == tables.sorted())
            #expect(plan.filter { $0.action == .create }.count == 1_998)
            #expect(plan.first { $0.table == "t7" }?.action == .conflict)
            #expect(plan.first { $0.table == "t8" }?.action == .unchanged)
            #expect(Set(try await client.children(root)) == Set(tables))
            #expect(try await admin.get("t1999").route.primary == cluster)
            #expect(try await admin.get("t7").route.primary == other)

            let again = try await admin.sync(tables: tables, cluster: cluster, force: false, dryRun: false)
            #expect(again.filter { $0.action == .unchanged }.count == 1_999)
            #expect(again.first { $0.table == "t7" }?.action == .conflict)
        }
    }
}
