import FailoverPolicy
import Foundation
import Testing

@Suite("Observer quorum, replica lease and observer suspicion (auto kinds)")
struct QuorumLeaseTests {
    /// Primary `pa` down since 100 s (min_down 2 s is met from 102 s).
    private func primaryDown(
        now: Double,
        observers: [String: ObserverView] = [:],
        probed: Int = 0,
        down: Int = 0
    ) -> DecisionInput {
        makeInput(
            now: now, primary: FailoverPolicyTests.down(since: 100), observers: observers, probedClusters: probed,
            downClusters: down)
    }

    private func view(live: Int, down: Int, up: Int, lastAlive: Double? = nil) -> ObserverView {
        ObserverView(live: live, down: down, up: up, lastAliveAt: lastAlive.map(at))
    }

    @Test("majority is more than half of the live observers; an integer is a fixed count")
    func quorumRequired() {
        let majority = SwitchSettings.Quorum.majority
        #expect([1, 2, 3, 4, 5].map { majority.required(live: $0) } == [1, 2, 2, 3, 3])
        #expect(SwitchSettings.Quorum.count(2).required(live: 5) == 2)
        #expect(SwitchSettings.Quorum.count(3).required(live: 2) == 3)
    }

    @Test("a single instance is its own majority: without observer views the decider alone decides")
    func singleObserver() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))
        guard case .switchTo("b1", _) = kind.decide(primaryDown(now: 110)) else {
            Issue.record("expected a switch")
            return
        }
        #expect(primaryDown(now: 110).observers(of: "pa") == ObserverView(live: 1, down: 1, up: 0, lastAliveAt: nil))
    }

    @Test("no quorum of observers seeing the primary down: refused no_quorum with the counts")
    func noQuorumForPrimaryDown() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))
        let observers = ["pa": view(live: 2, down: 1, up: 1), "b1": view(live: 2, down: 0, up: 2)]
        let decision = kind.decide(primaryDown(now: 110, observers: observers))
        guard case .refuse(let reason) = decision else {
            Issue.record("expected a refusal, got \(decision)")
            return
        }
        #expect(reason.code == .noQuorum)
        #expect(reason.text.contains("1 of 2 live observers see primary pa down"), "\(reason.text)")
        #expect(reason.text.contains("quorum 2 (majority)"), "\(reason.text)")
        // 2 of 3 is a majority.
        let three = ["pa": view(live: 3, down: 2, up: 1), "b1": view(live: 3, down: 0, up: 3)]
        guard case .switchTo("b1", _) = kind.decide(primaryDown(now: 110, observers: three)) else {
            Issue.record("2 of 3 should switch")
            return
        }
        // A fixed quorum of 3 needs all three.
        let strict = AutoFailoverKind(spec: testSpec(kind: "auto-failover", quorum: .count(3)))
        let strictDecision = strict.decide(primaryDown(now: 110, observers: three))
        #expect(strictDecision == .refuse(strictDecision.reason) && strictDecision.reason.code == .noQuorum)
        #expect(strictDecision.reason.text.contains("2 of 3 live observers see primary pa down ("))
        #expect(strictDecision.reason.text.contains("quorum 3 (3)"))
    }

    @Test("no quorum of observers seeing the backup up: that backup is not eligible")
    func noQuorumForBackupUp() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))
        let observers = [
            "pa": view(live: 3, down: 3, up: 0),
            "b1": view(live: 3, down: 2, up: 1),
            "b2": view(live: 3, down: 0, up: 3),
        ]
        let decision = kind.decide(primaryDown(now: 110, observers: observers))
        guard case .switchTo("b2", _) = decision else {
            Issue.record("expected a switch to b2, got \(decision)")
            return
        }
        var noneUp = observers
        noneUp["b2"] = view(live: 3, down: 1, up: 1)
        let refused = kind.decide(primaryDown(now: 110, observers: noneUp))
        #expect(refused.reason.code == .noQuorum)
        #expect(refused.reason.text.contains("1 of 3 live observers see backup b1 up"), "\(refused.reason.text)")
        #expect(refused.reason.text.contains("backup b2 up"))
    }

    @Test("no switch before last alive (by any observer) + replica_lease; switch right after")
    func leaseTiming() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover", replicaLease: .seconds(20)))
        // Down (own view) since 100 s; another observer saw a MetaServer answer at 104 s.
        let observers = ["pa": view(live: 2, down: 2, up: 0, lastAlive: 104), "b1": view(live: 2, down: 0, up: 2)]
        let early = kind.decide(primaryDown(now: 123.5, observers: observers))
        guard case .keep(let reason) = early else {
            Issue.record("expected keep, got \(early)")
            return
        }
        #expect(reason.code == .leaseNotExpired)
        #expect(reason.text.contains("last seen alive 19.5s ago"), "\(reason.text)")
        #expect(reason.text.contains("500ms left"), "\(reason.text)")
        guard case .switchTo("b1", _) = kind.decide(primaryDown(now: 124, observers: observers)) else {
            Issue.record("expected a switch at last alive + lease")
            return
        }
    }

    @Test("without any last-alive time the lease counts from the moment the primary went down")
    func leaseFromDownSince() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover", replicaLease: .seconds(6)))
        #expect(kind.decide(primaryDown(now: 105.9)).reason.code == .leaseNotExpired)
        guard case .switchTo = kind.decide(primaryDown(now: 106)) else {
            Issue.record("expected a switch at down since + lease")
            return
        }
    }

    @Test("min_down stays the glitch filter even with replica_lease 0")
    func minDownWithZeroLease() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover", minDown: .seconds(5), replicaLease: .zero))
        #expect(kind.decide(primaryDown(now: 104)).reason.code == .downTooShort)
    }

    @Test("a decider seeing more than half of all probed clusters down suspects itself")
    func observerSuspect() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))
        let suspect = kind.decide(primaryDown(now: 110, probed: 3, down: 2))
        #expect(suspect == .refuse(suspect.reason))
        #expect(suspect.reason.code == .observerSuspect)
        #expect(suspect.reason.text.contains("2 of 3 probed clusters down"))
        // Exactly half is not more than half.
        guard case .switchTo = kind.decide(primaryDown(now: 110, probed: 2, down: 1)) else {
            Issue.record("1 of 2 down is not suspect")
            return
        }
    }

    @Test("automatic failback needs a quorum seeing the primary up; no lease (the backup is alive)")
    func failbackQuorum() {
        let kind = AutoFailoverFailbackKind(
            spec: testSpec(kind: "auto-failover-failback", requireReverse: false, replicaLease: .seconds(20)))
        func input(_ observers: [String: ObserverView]) -> DecisionInput {
            makeInput(now: 500, primary: up(since: 200), current: onBackup("b1", since: 100), observers: observers)
        }
        let split = input(["pa": view(live: 3, down: 2, up: 1), "b1": view(live: 3, down: 0, up: 3, lastAlive: 500)])
        let refused = kind.decide(split)
        #expect(refused == .refuse(refused.reason))
        #expect(refused.reason.code == .noQuorum)
        #expect(refused.reason.text.contains("failback refused: 1 of 3 live observers see primary pa up"))
        let agreed = input(["pa": view(live: 3, down: 0, up: 2), "b1": view(live: 3, down: 0, up: 3, lastAlive: 500)])
        guard case .switchBack = kind.decide(agreed) else {
            Issue.record("expected a failback")
            return
        }
    }
}
