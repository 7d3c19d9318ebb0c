import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

@Suite("QueryAttempt")
struct QueryAttemptTests {
    /// `127.0.0.1:1`, `:2`, `:3`, and an address outside the cluster (`127.0.0.9:34601`).
    static let addresses = [1, 2, 3, 34601].compactMap { try? Endpoint(host: $0 == 34601 ? "127.0.0.9" : "127.0.0.1", port: $0) }
    static var a: Endpoint { addresses[0] }
    static var b: Endpoint { addresses[1] }
    static var c: Endpoint { addresses[2] }
    static var outsider: Endpoint { addresses[3] }
    static var metas: [Endpoint] { [a, b, c] }

    static func attempt(leader: Endpoint? = nil, hops: Int = 3) -> QueryAttempt {
        QueryAttempt(cluster: "c1", metas: metas, leader: leader, maxForwardHops: hops)
    }

    static func failure(_ meta: Endpoint) -> UpstreamError {
        UpstreamError(.connectFailed, cluster: "c1", meta: meta.description)
    }

    @Test func startsAtTheBelievedLeaderElseTheFirstMeta() {
        var unknown = Self.attempt()
        #expect(unknown.start() == .send(Self.a))
        var known = Self.attempt(leader: Self.b)
        #expect(known.start() == .send(Self.b))
        // A believed leader outside the configured list is never asked.
        var outside = Self.attempt(leader: Self.outsider)
        #expect(outside.start() == .send(Self.a))
    }

    @Test("a leader hint outside the cluster's MetaServers is not followed: the next configured one is asked")
    func refusesHintsOutsideTheCluster() {
        var attempt = Self.attempt()
        #expect(attempt.start() == .send(Self.a))
        #expect(attempt.forwarded(from: Self.a, leader: Self.outsider) == .send(Self.b))
        #expect(attempt.forwarded(from: Self.b, leader: Self.outsider) == .send(Self.c))
        guard case .fail(let error) = attempt.forwarded(from: Self.c, leader: Self.outsider) else {
            Issue.record("expected the attempt to give up")
            return
        }
        #expect(error.code == .noLeader)
        #expect(error.detail.contains("not one of the cluster's MetaServers"))
    }

    @Test func followsTheForwardHint() {
        var attempt = Self.attempt()
        #expect(attempt.start() == .send(Self.a))
        #expect(attempt.forwarded(from: Self.a, leader: Self.c) == .send(Self.c))
    }

    @Test func stopsFollowingHintsAtTheHopLimitAndMovesOn() {
        var attempt = Self.attempt(hops: 2)
        #expect(attempt.start() == .send(Self.a))
        #expect(attempt.forwarded(from: Self.a, leader: Self.b) == .send(Self.b))
        #expect(attempt.forwarded(from: Self.b, leader: Self.a) == .send(Self.a))
        // Third hint: over the limit, so the next meta not yet tried.
        #expect(attempt.forwarded(from: Self.a, leader: Self.b) == .send(Self.c))
        guard case .fail(let error) = attempt.forwarded(from: Self.c, leader: Self.a) else {
            Issue.record("expected the attempt to give up")
            return
        }
        #expect(error.code == .noLeader)
        #expect(error.detail.contains("hop limit"))
    }

    @Test func aForwardWithoutLeaderMovesToTheNextMeta() {
        var attempt = Self.attempt()
        #expect(attempt.start() == .send(Self.a))
        #expect(attempt.forwarded(from: Self.a, leader: nil) == .send(Self.b))
        #expect(attempt.forwarded(from: Self.b, leader: Self.b) == .send(Self.c))
    }

    @Test func aFailedMetaIsSkippedAndNotFollowedAgain() {
        var attempt = Self.attempt(leader: Self.b)
        #expect(attempt.start() == .send(Self.b))
        #expect(attempt.failed(Self.b, error: Self.failure(Self.b)) == .send(Self.c))
        // c names the failed b as leader: not followed; a is next.
        #expect(attempt.forwarded(from: Self.c, leader: Self.b) == .send(Self.a))
    }

    @Test func failsWhenEveryMetaFailed() {
        var attempt = Self.attempt()
        #expect(attempt.start() == .send(Self.a))
        #expect(attempt.failed(Self.a, error: Self.failure(Self.a)) == .send(Self.b))
        #expect(attempt.failed(Self.b, error: Self.failure(Self.b)) == .send(Self.c))
        guard case .fail(let error) = attempt.failed(Self.c, error: Self.failure(Self.c)) else {
            Issue.record("expected the attempt to give up")
            return
        }
        #expect(error.code == .allMetasFailed)
        #expect(error.cluster == "c1")
        #expect(error.detail.contains("127.0.0.1:3"))
    }

    @Test func noMetasFailsAtOnce() {
        var attempt = QueryAttempt(cluster: "c1", metas: [], leader: nil, maxForwardHops: 3)
        guard case .fail(let error) = attempt.start() else {
            Issue.record("expected the attempt to give up")
            return
        }
        #expect(error.code == .allMetasFailed)
    }
}
