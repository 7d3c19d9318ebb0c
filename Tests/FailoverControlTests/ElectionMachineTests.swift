import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("ElectionMachine: election order and state machine")
struct ElectionMachineTests {
    private static let node = ElectionMachine.Node(path: "/r/.meta-proxy/decider/n_0000000002", session: 7)

    @Test("nodes are ordered by sequence; other names are ignored")
    func ordering() {
        let children = ["n_0000000010", "lock", "n_0000000002", "n_x", "n_0000000007"]
        #expect(ElectionOrder.sorted(children) == ["n_0000000002", "n_0000000007", "n_0000000010"])
        #expect(ElectionOrder.position(of: "n_0000000002", among: children) == .first)
        #expect(ElectionOrder.position(of: "n_0000000010", among: children) == .after(predecessor: "n_0000000007"))
        #expect(ElectionOrder.position(of: "n_0000000003", among: children) == .missing)
    }

    @Test("join, lowest node decides, a disconnection stops it, the same session resumes")
    func decidesAndStops() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        step = machine.connected(session: 7)
        #expect(step == .join(session: 7))
        step = machine.joined(Self.node)
        #expect(step == .evaluate(Self.node))
        step = machine.evaluated(Self.node, children: ["n_0000000002", "n_0000000005"])
        #expect(step == .startDeciding(Self.node))
        #expect(machine.isDeciding)
        step = machine.disconnected(expired: false)
        #expect(step == .stopDeciding(thenJoin: nil))
        #expect(!machine.isDeciding)
        step = machine.connected(session: 7)
        #expect(step == .evaluate(Self.node))
    }

    @Test("after an expiry the node is gone: join again on the new session")
    func rejoinsAfterExpiry() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        _ = machine.connected(session: 7)
        _ = machine.joined(Self.node)
        _ = machine.evaluated(Self.node, children: ["n_0000000002"])
        step = machine.disconnected(expired: true)
        #expect(step == .stopDeciding(thenJoin: nil))
        #expect(machine.node == nil)
        step = machine.connected(session: 8)
        #expect(step == .join(session: 8))
        // A late result of the old session is ignored.
        step = machine.joined(Self.node)
        #expect(step == .none)
    }

    @Test("a follower watches its predecessor and evaluates again when it goes")
    func follows() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        _ = machine.connected(session: 7)
        _ = machine.joined(Self.node)
        step = machine.evaluated(Self.node, children: ["n_0000000001", "n_0000000002"])
        #expect(step == .watch(Self.node, predecessor: "n_0000000001"))
        step = machine.predecessorGone(Self.node, predecessor: "n_0000000000")
        #expect(step == .none)
        step = machine.predecessorGone(Self.node, predecessor: "n_0000000001")
        #expect(step == .evaluate(Self.node))
        step = machine.evaluated(Self.node, children: ["n_0000000002"])
        #expect(step == .startDeciding(Self.node))
    }

    @Test("a node missing from the children joins again; failed steps are retried")
    func missingAndRetry() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        _ = machine.connected(session: 7)
        step = machine.stepFailed()
        #expect(step == .retryLater)
        step = machine.retry()
        #expect(step == .join(session: 7))
        _ = machine.joined(Self.node)
        step = machine.evaluated(Self.node, children: ["n_0000000009"])
        #expect(step == .join(session: 7))
    }
}
