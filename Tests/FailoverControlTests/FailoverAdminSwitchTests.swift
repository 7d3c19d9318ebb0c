import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
@testable import FailoverControl
import Testing
import ZooKeeper

@Suite("FailoverAdmin switch and back", .serialized, .timeLimit(.minutes(1)))
struct FailoverAdminSwitchTests {
    typealias H = FailoverAdminHarness

    @Test("the guard refuses a switch beyond max_lag_decrees; --force switches and records the override")
    func guardAndForce() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            try await H.publishHealth(
                client, root, clusters: ["A": .down, "B": .up], duplications: [H.observation("t1", lag: 5000)])
            let admin = try H.admin(client, root)

            let refused = await #expect(throws: FailoverAdminError.self) {
                try await admin.switchTable("t1", to: "B", force: false)
            }
            #expect(refused?.code == .refused)
            #expect(refused?.reason?.code == .lagTooHigh)
            #expect(refused?.description.contains("--force overrides") == true)
            #expect(try await H.effective(client, root, "t1") == nil)

            let forced = try await admin.switchTable("t1", to: "B", force: true)
            #expect(forced.before == nil)
            #expect(forced.record.trigger == .forced && forced.record.reason.code == .operatorForced)
            #expect(forced.record.lagDecrees == 5000 && forced.record.decidedBy == "cli:test@host")
            let stored = try #require(try await H.effective(client, root, "t1"))
            #expect(try stored == H.stored(forced.after))
            #expect(stored.activeCluster == "B" && stored.mode == .failover && stored.history.count == 1)
        }
    }

    @Test("within the guard the switch is a manual operator request; a drill is recorded as such")
    func manualDrill() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            try await H.publishHealth(
                client, root, clusters: ["A": .up, "B": .up], duplications: [H.observation("t1", lag: 10)])
            let admin = try H.admin(client, root)
            let result = try await admin.switchTable("t1", to: "B", force: false, drill: true)
            #expect(result.record.trigger == .manual && result.record.reason.code == .operatorRequest)
            #expect(result.after.mode == .drill && result.after.activeCluster == "B")
        }
    }

    @Test("unknown and already-active clusters are refused even with --force; stale health counts as unknown")
    func alwaysRefused() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            let unknown = await #expect(throws: FailoverAdminError.self) {
                try await admin.switchTable("t1", to: "Z", force: true)
            }
            #expect(unknown?.reason?.code == .unknownCluster)
            #expect(unknown?.description.contains("--force") == false)
            let active = await #expect(throws: FailoverAdminError.self) {
                try await admin.switchTable("t1", to: "A", force: true)
            }
            #expect(active?.reason?.code == .alreadyActive)

            // A snapshot older than max_lag_age (here 60 s) says nothing about the clusters now.
            try await H.publishHealth(
                client, root, takenAt: Date().addingTimeInterval(-600), clusters: ["A": .up, "B": .up],
                duplications: [H.observation("t1", lag: 0)])
            let stale = await #expect(throws: FailoverAdminError.self) {
                try await admin.switchTable("t1", to: "B", force: false)
            }
            #expect(stale?.reason?.code == .targetNotUp)
        }
    }

    @Test("back returns to the primary, guarded by the reverse duplication unless forced")
    func back() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            _ = try await admin.switchTable("t1", to: "B", force: true)
            try await H.publishHealth(client, root, clusters: ["A": .up, "B": .up])
            let refused = await #expect(throws: FailoverAdminError.self) { try await admin.switchBack("t1", force: false) }
            #expect(refused?.reason?.code == .reverseDuplicationUnknown)

            try await H.publishHealth(
                client, root, clusters: ["A": .up, "B": .up],
                duplications: [H.observation("t1", primary: "B", backup: "A", lag: 0)])
            let back = try await admin.switchBack("t1", force: false)
            #expect(back.record.from == "B" && back.record.to == "A" && back.record.trigger == .manual)
            #expect(back.after.mode == .primary && back.after.history.count == 2)
        }
    }

    @Test("a compare-and-set against a stale version fails with a clear message and writes nothing")
    func casConflict() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            let first = try await admin.switchTable("t1", to: "B", force: true)
            let stale = try #require(try await admin.storedRoute("t1"))
            _ = try await admin.switchBack("t1", force: true)

            var document = first.after
            document.paused = true
            let conflict = await #expect(throws: FailoverAdminError.self) {
                try await admin.write(document, expecting: stale.version)
            }
            #expect(conflict?.code == .conflict)
            #expect(conflict?.description.contains("changed meanwhile (node version was \(stale.version))") == true)
            #expect(conflict?.description.contains("failover status t1") == true)
            let created = await #expect(throws: FailoverAdminError.self) {
                try await admin.write(document, expecting: nil)
            }
            #expect(created?.description.contains("was created meanwhile") == true)
            let stored = try #require(try await H.effective(client, root, "t1"))
            #expect(stored.activeCluster == "A" && !stored.paused)
        }
    }
}
