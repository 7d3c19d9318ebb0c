import Foundation
import Testing

@testable import FailoverControl

@Suite("InstancePublisher.Throttle: when the instance record is written")
struct InstancePublisherThrottleTests {
    static func digest(_ state: InstanceRecord.ClusterView.State, route: String = "A") -> InstancePublisher.Digest {
        InstancePublisher.Digest(
            InstanceRecord(
                instance: "i", host: "h", pid: 1, admin: nil, listen: ":1", startedAt: Date(), routeSource: .file,
                decider: false, writtenAt: Date(),
                clusters: ["A": .init(state: state, stateForMs: 5, lastAliveMsAgo: 1)],
                routes: ["t1": .init(cluster: route, version: -1)]))
    }

    @Test("first write at once; changes at most once a second; a heartbeat every 2 s; a new session at once")
    func throttle() {
        let t0 = ContinuousClock.now
        var throttle = InstancePublisher.Throttle(settings: .init())
        let up = Self.digest(.up)
        #expect(throttle.isDue(up, session: 1, at: t0))
        throttle.written(up, session: 1, at: t0)
        #expect(!throttle.isDue(Self.digest(.down), session: 1, at: t0 + .milliseconds(900)))
        #expect(throttle.isDue(Self.digest(.down), session: 1, at: t0 + .seconds(1)))
        #expect(throttle.isDue(Self.digest(.up, route: "B"), session: 1, at: t0 + .seconds(1)))
        // Only relative times changed: not a change.
        #expect(Self.digest(.up) == up)
        #expect(!throttle.isDue(up, session: 1, at: t0 + .milliseconds(1900)))
        #expect(throttle.isDue(up, session: 1, at: t0 + .seconds(2)))
        #expect(throttle.isDue(up, session: 2, at: t0 + .milliseconds(10)))
    }
}
