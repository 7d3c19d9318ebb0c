import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("HealthPublisher.Throttle: when health is published")
struct HealthPublisherThrottleTests {
    @Test("health is published when it changed (at most every 2 s) or when the node is 10 s old")
    func throttle() {
        let t0 = Date(timeIntervalSince1970: 0)
        func snapshot(_ state: HealthStatus) -> HealthSnapshot {
            let cluster = ClusterHealthSnapshot(
                state: state, since: nil, leader: nil, lastVerdict: nil, lastRPCOutcome: nil, metas: [:],
                recentTransitions: [], history: ClusterHistory())
            return HealthSnapshot(takenAt: t0, clusters: ["A": cluster], duplications: [], duplicationFailures: [])
        }
        let up = HealthDigest(snapshot(.up))
        let down = HealthDigest(snapshot(.down))
        let c0 = ContinuousClock.now
        var throttle = HealthPublisher.Throttle()
        #expect(throttle.isDue(up, at: c0))
        throttle.published(up, at: c0)
        #expect(!throttle.isDue(down, at: c0.advanced(by: .seconds(1))))
        #expect(throttle.isDue(down, at: c0.advanced(by: .seconds(2))))
        #expect(!throttle.isDue(up, at: c0.advanced(by: .seconds(5))))
        #expect(throttle.isDue(up, at: c0.advanced(by: .seconds(10))))
    }

    @Test("a table starting or stopping to deny client requests is a change; since's clock jitter is not")
    func digestChanges() {
        let t0 = Date(timeIntervalSince1970: 0)
        func snapshot(since: Date, denied: [String: String]?) -> HealthSnapshot {
            var cluster = ClusterHealthSnapshot(
                state: .up, since: since, leader: nil, lastVerdict: nil, lastRPCOutcome: nil, metas: [:],
                recentTransitions: [], history: ClusterHistory(transitions: [HealthTransitionRecord(at: t0, from: .unknown, to: .up)]))
            cluster.deniedTables = denied
            return HealthSnapshot(takenAt: t0, clusters: ["A": cluster], duplications: [], duplicationFailures: [])
        }
        let base = HealthDigest(snapshot(since: t0, denied: [:]))
        #expect(HealthDigest(snapshot(since: t0.addingTimeInterval(0.000_3), denied: [:])) == base)
        #expect(HealthDigest(snapshot(since: t0, denied: ["t1": "reconfig*all"])) != base)
    }
}
