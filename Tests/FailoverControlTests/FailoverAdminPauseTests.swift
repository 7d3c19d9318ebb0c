import FailoverControl
import FailoverPolicy
import Foundation
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@Suite("FailoverAdmin pause and resume", .serialized, .timeLimit(.minutes(1)))
struct FailoverAdminPauseTests {
    typealias H = FailoverAdminHarness

    @Test("per table: the effective route's paused flag, created on the primary for a never-switched table")
    func perTable() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            #expect(try await admin.resume(table: "t1").after == nil)

            let paused = try await admin.pause(table: "t1")
            #expect(!paused.wasPaused && paused.after.paused)
            let stored = try #require(try await H.effective(client, root, "t1"))
            #expect(stored.paused && stored.activeCluster == "A" && stored.mode == .primary && stored.history.isEmpty)
            // Who paused, for the audit: operator, OS user and ZooKeeper identity.
            #expect(stored.pauseChangedBy == "cli:test@host (tester, zk digest:ops, host pid 42)")
            #expect(stored.pauseChangedAt != nil)
            #expect(try await admin.pause(table: "t1").wasPaused)

            // A switch keeps the flag.
            let switched = try await admin.switchTable("t1", to: "B", force: true)
            #expect(switched.after.paused)

            let resumed = try await admin.resume(table: "t1")
            #expect(resumed.wasPaused && resumed.after?.paused == false)
            #expect(try await H.effective(client, root, "t1")?.paused == false)
            #expect(try await H.effective(client, root, "t1")?.activeCluster == "B")

            let unknown = await #expect(throws: FailoverAdminError.self) { try await admin.pause(table: "t9") }
            #expect(unknown?.code == .unknownTable)
        }
    }

    @Test("globally: the paused node holds by, at and reason; pausing twice keeps the first; resume deletes it")
    func global() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            #expect(try await admin.resumeAll() == nil)

            let (pause, created) = try await admin.pauseAll(reason: "maintenance")
            #expect(created && pause.by == "cli:test@host" && pause.reason == "maintenance")
            let (data, _) = try await client.get(FailoverPaths(root: root).paused)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any])
            #expect(object["by"] as? String == "cli:test@host" && object["reason"] as? String == "maintenance")
            #expect((object["at"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil)
            // Who paused, for the audit: OS user and ZooKeeper identity besides the operator name.
            let identity = try #require(object["identity"] as? [String: Any])
            #expect(identity["os_user"] as? String == "tester" && identity["zk_identity"] as? String == "digest:ops")
            #expect(identity["host"] as? String == "host" && identity["pid"] as? Int == 42)

            let again = try await admin.pauseAll(reason: "other")
            #expect(!again.created && again.pause.reason == "maintenance")
            #expect(try await admin.status(of: "t1").globalPause?.reason == "maintenance")

            #expect(try await admin.resumeAll()?.reason == "maintenance")
            #expect(try await client.exists(FailoverPaths(root: root).paused) == nil)
            #expect(try await admin.globalPause() == nil)
        }
    }
}
