import Foundation
import Testing

@testable import FailoverControl

@Suite("Fencing and persisted lag as values")
struct FencingValuesTests {
    private static let node = ElectionMachine.Node(path: "/r/.meta-proxy/decider/n_0000000002", session: 7)

    @Test("a fenced decider stops and evaluates again; a missing node joins anew; others ignore it")
    func electionFenced() {
        var machine = ElectionMachine()
        _ = machine.connected(session: 7)
        _ = machine.joined(Self.node)
        #expect(machine.evaluated(Self.node, children: ["n_0000000002"]) == .startDeciding(Self.node))
        #expect(machine.fenced() == .evaluate(Self.node))
        #expect(!machine.isDeciding)
        // The node is gone: join again on the same session.
        #expect(machine.evaluated(Self.node, children: ["n_0000000003"]) == .join(session: 7))
        // Not deciding: nothing to do.
        #expect(machine.fenced() == .none)
    }

    private static func link(_ primary: String, _ backup: String, lag: Int64, at: Int64) -> PersistedLagDocument.Link {
        PersistedLagDocument.Link(
            primary: primary, backup: backup, status: "DS_LOG", failMode: "FAIL_SLOW", maxLag: lag,
            observedAtMilliseconds: at, ageAtWriteMilliseconds: 100)
    }

    @Test("merging replaces the links it has values for and keeps the others; JSON round-trips with snake_case keys")
    func mergingKeepsKnownLinks() throws {
        let old = PersistedLagDocument(
            table: "t1", writtenBy: "d1",
            links: [Self.link("A", "B", lag: 5, at: 1000), Self.link("A", "C", lag: 9, at: 1000)])
        let merged = old.merging([Self.link("A", "B", lag: 2, at: 2000)], writtenBy: "d2")
        #expect(merged.writtenBy == "d2")
        #expect(merged.links == [Self.link("A", "B", lag: 2, at: 2000), Self.link("A", "C", lag: 9, at: 1000)])
        let bytes = try merged.jsonBytes()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"age_at_write_ms\":100") && text.contains("\"written_by\":\"d2\""))
        #expect(try PersistedLagDocument(jsonBytes: bytes) == merged)
    }
}
