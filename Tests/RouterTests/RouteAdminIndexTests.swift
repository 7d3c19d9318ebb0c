import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@testable import Router

/// The protected-table index (`<root>/.meta-proxy/protected/<table>`) kept by every route write.
@Suite("RouteAdmin protected-table index", .serialized, .timeLimit(.minutes(2)))
struct RouteAdminIndexTests {
    static func cluster(_ name: String, _ port: Int) throws -> ClusterRoute {
        ClusterRoute(name: name, metas: [try Endpoint(parsing: "127.0.0.1:\(port)")])
    }

    static func indexed(_ client: ZooKeeperClient, _ admin: RouteAdmin) async throws -> [String] {
        do throws(ZooKeeperError) {
            return try await client.children(admin.protectedIndex).sorted()
        } catch where error.code == .noNode {
            return []
        }
    }

    @Test("a route with backups is indexed, one without is not; removing the backups or the route removes the entry")
    func indexFollowsRouteWrites() async throws {
        try await TestZooKeeper.withRoot(prefix: "route-index") { client, root in
            let admin = RouteAdmin(client: client, root: root)
            let a = try Self.cluster("a", 1001)
            let b = try Self.cluster("b", 2001)
            let c = try Self.cluster("c", 3001)
            // Without credentials a missing `<root>/.meta-proxy` is created with the index (open ACL).
            #expect(try await admin.set(Route(table: "early", primary: a, backups: [b])))
            #expect(try await Self.indexed(client, admin) == ["early"])
            #expect(try await client.getACL(admin.protectedIndex) == .openUnsafe)
            // A route written without its entry (another tool): re-added by the next write of it, below.
            try await client.delete(admin.protectedIndexPath(of: "early"))
            #expect(try await admin.set(Route(table: "orders", primary: a, backups: [b])))
            #expect(try await admin.set(Route(table: "users", primary: a)))
            #expect(try await Self.indexed(client, admin) == ["orders"])
            // Overwriting keeps the entry; a second protected table joins it.
            #expect(try await !admin.set(Route(table: "orders", primary: a, backups: [b, c])))
            _ = try await admin.switchRoute("users", to: a, backups: [c])
            #expect(try await Self.indexed(client, admin) == ["orders", "users"])
            // Without backups the entry goes, in the same write.
            let (_, version) = try await admin.get("users")
            try await admin.compareAndSet(Route(table: "users", primary: c), expectedVersion: version)
            #expect(try await Self.indexed(client, admin) == ["orders"])
            // A stale entry (another tool removed the backups) is removed by the next write of the route.
            try await client.create(admin.protectedIndexPath(of: "users"))
            #expect(try await !admin.set(Route(table: "users", primary: a)))
            #expect(try await Self.indexed(client, admin) == ["orders"])
            // A missing entry of a protected route is added by the next write of it.
            #expect(try await !admin.set(Route(table: "early", primary: a, backups: [c])))
            #expect(try await Self.indexed(client, admin) == ["early", "orders"])
            // Sync keeps the backups of a re-homed table, and its entry.
            let plan = try await admin.sync(tables: ["orders", "fresh"], cluster: c, force: true, dryRun: false)
            #expect(plan.map(\.action) == [.create, .overwrite])
            #expect(try await Self.indexed(client, admin) == ["early", "orders"])
            try await admin.delete("orders")
            #expect(try await Self.indexed(client, admin) == ["early"])
            #expect(try await admin.existingRoute("orders") == nil)
            // The index is never listed as a table.
            #expect(try await admin.list().count == 3)
        }
    }
}
