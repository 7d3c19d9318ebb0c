import FailoverPolicy
import PegasusWire
import Testing

@Suite("Kind auto-failover-failback")
struct AutoFailbackTests {
    let kind = AutoFailoverFailbackKind(spec: testSpec(kind: "auto-failover-failback"))
    let goodReverse = ["b1": duplication(lag: 3, observed: 999)]

    @Test("fails over like auto-failover")
    func failsOver() {
        let decision = kind.decide(makeInput(now: 100, primary: down(since: 90)))
        #expect(decision == .switchTo(cluster: "b1", reason: decision.reason))
    }

    @Test("switches back once the primary has been up for after_healthy")
    func failbackTiming() {
        let current = onBackup("b1", since: 100)
        let early = kind.decide(makeInput(now: 1000, primary: up(since: 940.1), reverse: goodReverse, current: current))
        #expect(early == .keep(early.reason))
        #expect(early.reason.code == .primaryUpTooShort)

        let decision = kind.decide(
            makeInput(now: 1000, primary: up(since: 940), reverse: goodReverse, current: current)
        )
        #expect(decision == .switchBack(decision.reason))
        #expect(decision.reason.code == .primaryHealthy)
        #expect(decision.reason.text.contains("b1 → pa lag 3 decrees"))
    }

    @Test("waits while the primary is down or unknown")
    func primaryNotUp() {
        let current = onBackup("b1", since: 100)
        #expect(
            kind.decide(makeInput(now: 1000, primary: down(since: 0), current: current)).reason.code == .primaryNotUp
        )
        let unknown = ClusterHealth(state: .unknown, since: at(0))
        #expect(kind.decide(makeInput(now: 1000, primary: unknown, current: current)).reason.code == .primaryNotUp)
    }

    @Test("failback respects the cooldown")
    func cooldown() {
        let current = onBackup("b1", since: 980)
        let decision = kind.decide(makeInput(now: 1000, primary: up(since: 0), reverse: goodReverse, current: current))
        #expect(decision == .keep(decision.reason))
        #expect(decision.reason.code == .cooldown)
        let later = kind.decide(makeInput(now: 1010, primary: up(since: 0), reverse: goodReverse, current: current))
        #expect(later == .switchBack(later.reason))
    }

    @Test("without a reverse duplication failback is refused, unless not required")
    func reverseUnknown() {
        let current = onBackup("b1", since: 100)
        let refused = kind.decide(makeInput(now: 1000, primary: up(since: 0), current: current))
        #expect(refused == .refuse(refused.reason))
        #expect(refused.reason.code == .reverseDuplicationUnknown)

        let lenient = AutoFailoverFailbackKind(spec: testSpec(kind: "auto-failover-failback", requireReverse: false))
        let decision = lenient.decide(makeInput(now: 1000, primary: up(since: 0), current: current))
        #expect(decision == .switchBack(decision.reason))
    }

    @Test("the reverse duplication is guarded, even when not required")
    func reverseGuard() {
        let current = onBackup("b1", since: 100)
        let lagging = ["b1": duplication(lag: 5000, observed: 999)]
        let lenient = AutoFailoverFailbackKind(spec: testSpec(kind: "auto-failover-failback", requireReverse: false))
        for policy in [kind, lenient] {
            let decision = policy.decide(
                makeInput(now: 1000, primary: up(since: 0), reverse: lagging, current: current)
            )
            #expect(decision == .refuse(decision.reason))
            #expect(decision.reason.code == .lagTooHigh)
            #expect(decision.reason.text.hasPrefix("failback refused: b1 → pa"))
        }
        let paused = ["b1": DuplicationView(status: .pause, maxLagDecrees: 0, observedAt: at(999))]
        let decision = kind.decide(makeInput(now: 1000, primary: up(since: 0), reverse: paused, current: current))
        #expect(decision.reason.code == .duplicationNotLog)
    }

    @Test("a backup an operator chose is never undone automatically")
    func operatorSwitchHeld() {
        let current = onBackup("b1", since: 100, automatic: false)
        let decision = kind.decide(makeInput(now: 1000, primary: up(since: 0), reverse: goodReverse, current: current))
        #expect(decision == .keep(decision.reason))
        #expect(decision.reason.code == .operatorSwitchHeld)
    }

    @Test("paused: keep, even when failback is due")
    func paused() {
        let current = onBackup("b1", since: 100)
        let input = makeInput(
            now: 1000,
            primary: up(since: 0),
            reverse: goodReverse,
            current: current,
            tablePaused: true
        )
        #expect(kind.decide(input) == .keep(DecisionReason(.paused, "automation paused for table orders")))
    }
}
