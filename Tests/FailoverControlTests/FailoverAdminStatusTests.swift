import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@Suite("FailoverAdmin status", .serialized, .timeLimit(.minutes(1)))
struct FailoverAdminStatusTests {
    typealias H = FailoverAdminHarness

    @Test("a never-switched table is on its primary; no health, no decider, no pause")
    func withoutEffectiveNode() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            try await H.declare(client, root, "t0", backups: [])
            let admin = try H.admin(client, root)
            let status = try await admin.status(of: "t1")
            #expect(status.effective == nil)
            #expect(status.activeCluster == "A")
            #expect(status.health.snapshot == nil)
            guard case .absent = status.health else {
                Issue.record("health should be absent, is \(status.health)")
                return
            }
            #expect(status.decider == nil && status.globalPause == nil)
            #expect(status.policy.name == "built-in-default" && status.policy.kind == "manual")

            let overview = try await admin.overview()
            #expect(overview.rows.map(\.route.table) == ["t1"])
            #expect(overview.rows.first?.activeCluster == "A" && overview.rows.first?.effective == nil)
            #expect(overview.tablesWithoutBackups == 1)

            await #expect(throws: FailoverAdminError.self) { try await admin.status(of: "t9") }
        }
    }

    @Test("a switched table shows its effective route, history, health, lag of its clusters and the decider")
    func withEffectiveNode() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            try await H.publishHealth(
                client, root, clusters: ["A": .down, "B": .up, "C": .up],
                duplications: [
                    H.observation("t1", lag: 3), H.observation("t2", lag: 9), H.observation("t1", backup: "C", lag: 1),
                ])
            _ = try await admin.switchTable("t1", to: "B", force: false, drill: true)
            let paths = FailoverPaths(root: root)
            try await client.create(paths.electionNodePrefix, data: Array("proxy-1".utf8), mode: .ephemeralSequential, createParents: true)
            let second = try await client.create(paths.electionNodePrefix, data: Array("proxy-2".utf8), mode: .ephemeralSequential)

            let status = try await admin.status(of: "t1")
            #expect(status.activeCluster == "B")
            #expect(status.effective?.mode == .drill)
            #expect(status.effective?.history.map(\.to) == ["B"])
            #expect(status.health.snapshot?.clusters["B"]?.state == .up)
            #expect(status.duplications.map { "\($0.table):\($0.primaryCluster)->\($0.backupCluster)" } == ["t1:A->B"])
            #expect(status.decider?.instance == "proxy-1")

            let first = try #require(status.decider?.node)
            try await client.delete(paths.election + "/" + first)
            #expect(try await admin.decider()?.instance == "proxy-2")
            #expect(second.hasSuffix(try #require(try await admin.decider()?.node)))

            let overview = try await admin.overview()
            #expect(overview.rows.first?.activeCluster == "B" && overview.rows.first?.effective?.mode == .drill)
            #expect(overview.health.snapshot != nil)
        }
    }

    @Test("an unreadable effective route node is an error for the table and a flagged row in the overview")
    func malformedNode() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            try await client.create(
                FailoverPaths(root: root).effectiveRoute(of: "t1"), data: Array("{not json".utf8), createParents: true)
            let admin = try H.admin(client, root)
            let error = await #expect(throws: FailoverAdminError.self) { try await admin.status(of: "t1") }
            #expect(error?.code == .malformedNode)
            #expect(error?.description.contains("fix or delete the node") == true)
            let overview = try await admin.overview()
            #expect(overview.rows.first?.effectiveError != nil)
            #expect(overview.rows.first?.activeCluster == "A")
        }
    }
}
