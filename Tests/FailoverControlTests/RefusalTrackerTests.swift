import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("RefusalTracker: refusal episodes")
struct RefusalTrackerTests {
    @Test("a refusal is new when it starts or its code changes, not while it repeats")
    func refusalEpisodes() {
        var tracker = RefusalTracker()
        let t0 = Date(timeIntervalSince1970: 0)
        let lag = DecisionReason(.lagTooHigh, "lag")
        var isNew = tracker.refused(table: "t1", cluster: "A", reason: lag, policy: "p", at: t0)
        #expect(isNew)
        isNew = tracker.refused(table: "t1", cluster: "A", reason: lag, policy: "p", at: t0.addingTimeInterval(1))
        #expect(!isNew)
        #expect(tracker.records["t1"]?.since == t0)
        #expect(tracker.records["t1"]?.at == t0.addingTimeInterval(1))
        let stale = DecisionReason(.observationStale, "old")
        isNew = tracker.refused(table: "t1", cluster: "A", reason: stale, policy: "p", at: t0)
        #expect(isNew)
        isNew = tracker.refused(table: "t1", cluster: "A", reason: stale, policy: "p", at: t0)
        #expect(!isNew)
        tracker.notRefused(table: "t1")
        isNew = tracker.refused(table: "t1", cluster: "A", reason: stale, policy: "p", at: t0)
        #expect(isNew)
    }
}
