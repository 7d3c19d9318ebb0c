import FailoverPolicy
import PegasusWire
import Testing

@Suite("Kind auto-failover")
struct AutoFailoverTests {
    let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))

    @Test("keeps while the primary is up or unknown")
    func keepsHealthy() {
        #expect(kind.decide(makeInput(now: 100, primary: up(since: 0))).reason.code == .effectiveUp)
        let unknown = ClusterHealth(state: .unknown, since: at(0))
        #expect(kind.decide(makeInput(now: 100, primary: unknown)).reason.code == .effectiveUnknown)
    }

    @Test("switches to the first backup once the primary is down for min_down")
    func minDown() {
        let early = kind.decide(makeInput(now: 101.9, primary: down(since: 100)))
        #expect(early.reason.code == .downTooShort)
        guard case .keep = early else {
            Issue.record("expected keep, got \(early)")
            return
        }
        let decision = kind.decide(makeInput(now: 102, primary: down(since: 100)))
        guard case .switchTo(let cluster, let reason) = decision else {
            Issue.record("expected a switch, got \(decision)")
            return
        }
        #expect(cluster == "b1")
        #expect(reason.code == .effectiveDown)
        #expect(reason.text.contains("lag 10 decrees"))
    }

    @Test("a probe glitch shorter than min_down never switches")
    func glitch() {
        for tick in 0...120 {
            let now = Double(tick) * 0.5
            // Down from 10 s to 11.5 s, up again afterwards.
            let primary = now >= 10 && now < 11.5 ? down(since: 10) : up(since: now >= 11.5 ? 11.5 : 0)
            let decision = kind.decide(makeInput(now: now, primary: primary))
            guard case .keep = decision else {
                Issue.record("at \(now) s: \(decision)")
                return
            }
        }
    }

    @Test("no switch within cooldown of the previous switch")
    func cooldown() {
        let recentlyBack = EffectiveState(placement: .onPrimary, lastSwitchAt: at(80))
        let cooling = kind.decide(makeInput(now: 109.9, primary: down(since: 50), current: recentlyBack))
        #expect(cooling.reason.code == .cooldown)
        let after = kind.decide(makeInput(now: 110, primary: down(since: 50), current: recentlyBack))
        #expect(after == .switchTo(cluster: "b1", reason: after.reason))
    }

    @Test("skips ineligible backups in preference order")
    func preferenceOrder() {
        let b1TooFar = makeInput(now: 100, primary: down(since: 0), b1Duplication: duplication(lag: 5000, observed: 99))
        #expect(kind.decide(b1TooFar) == .switchTo(cluster: "b2", reason: kind.decide(b1TooFar).reason))
        let b1Down = makeInput(now: 100, primary: down(since: 0), b1: down(since: 50))
        #expect(kind.decide(b1Down) == .switchTo(cluster: "b2", reason: kind.decide(b1Down).reason))
    }

    struct GuardCase: Sendable, CustomTestStringConvertible {
        let name: String
        let duplication: DuplicationView?
        let code: DecisionReason.Code
        var testDescription: String { name }
    }

    @Test(
        "refuses when the guard fails for the only usable backup",
        arguments: [
            GuardCase(name: "lag too high", duplication: duplication(lag: 1001, observed: 99), code: .lagTooHigh),
            GuardCase(name: "lag unknown", duplication: duplication(lag: nil, observed: 99), code: .lagUnknown),
            GuardCase(name: "negative lag", duplication: duplication(lag: -1, observed: 99), code: .lagUnknown),
            GuardCase(name: "never observed", duplication: duplication(lag: 5, observed: nil), code: .lagUnknown),
            GuardCase(
                name: "stale observation",
                duplication: duplication(lag: 5, observed: 69.9),
                code: .observationStale
            ),
            GuardCase(
                name: "DS_PAUSE",
                duplication: DuplicationView(status: .pause, maxLagDecrees: 5, observedAt: at(99)),
                code: .duplicationNotLog
            ),
            GuardCase(
                name: "DS_APP",
                duplication: DuplicationView(status: .app, maxLagDecrees: 5, observedAt: at(99)),
                code: .duplicationNotLog
            ),
            GuardCase(
                name: "FAIL_SKIP",
                duplication: DuplicationView(status: .log, failMode: .skip, maxLagDecrees: 5, observedAt: at(99)),
                code: .failSkip
            ),
            GuardCase(
                name: "not duplicating",
                duplication: DuplicationView(duplicating: false, status: .log, maxLagDecrees: 5, observedAt: at(99)),
                code: .notDuplicating
            ),
            GuardCase(name: "no duplication at all", duplication: nil, code: .notDuplicating),
        ]
    )
    func guardRefusal(guardCase: GuardCase) {
        let input = makeInput(
            now: 100,
            primary: down(since: 0),
            b1Duplication: .some(guardCase.duplication),
            b2: down(since: 0)
        )
        let decision = kind.decide(input)
        #expect(decision == .refuse(decision.reason))
        #expect(decision.reason.code == guardCase.code)
        #expect(decision.reason.text.contains("pa → b1"))
        #expect(decision.reason.text.contains("b2: health down"))
    }

    @Test("the guard's limits are inclusive")
    func guardBoundary() {
        let input = makeInput(now: 100, primary: down(since: 0), b1Duplication: duplication(lag: 1000, observed: 70))
        #expect(kind.decide(input) == .switchTo(cluster: "b1", reason: kind.decide(input).reason))
    }

    @Test("refusal code is the most preferred backup's, the text lists all")
    func refusalNamesEveryBackup() {
        let input = makeInput(
            now: 100,
            primary: down(since: 0),
            b1Duplication: duplication(lag: 2000, observed: 99),
            b2Duplication: duplication(lag: nil, observed: 99)
        )
        let decision = kind.decide(input)
        #expect(decision == .refuse(decision.reason))
        #expect(decision.reason.code == .lagTooHigh)
        #expect(decision.reason.text.contains("lag 2000 decrees"))
        #expect(decision.reason.text.contains("pa → b2: lag unknown"))
    }

    @Test("a table without backups is kept")
    func noBackups() {
        var input = makeInput(now: 100, primary: down(since: 0))
        input.backups = []
        #expect(kind.decide(input).reason.code == .noBackupDeclared)
    }

    @Test("paused per table or globally: keep")
    func paused() {
        let table = kind.decide(makeInput(now: 100, primary: down(since: 0), tablePaused: true))
        #expect(table == .keep(table.reason))
        #expect(table.reason.code == .paused)
        let global = kind.decide(makeInput(now: 100, primary: down(since: 0), globallyPaused: true))
        #expect(global.reason.code == .paused)
        #expect(global.reason.text.contains("globally"))
    }

    @Test("on a backup: never fails back; refuses to move on when that backup dies")
    func stayingOnBackup() {
        let healthyPrimary = kind.decide(
            makeInput(now: 1000, primary: up(since: 200), current: onBackup("b1", since: 100))
        )
        #expect(healthyPrimary == .keep(healthyPrimary.reason))
        #expect(healthyPrimary.reason.code == .automaticFailbackDisabled)

        let backupGlitch = makeInput(
            now: 1000,
            primary: down(since: 0),
            b1: down(since: 999),
            current: onBackup("b1", since: 100)
        )
        #expect(kind.decide(backupGlitch).reason.code == .automaticFailbackDisabled)

        let backupDead = makeInput(
            now: 1000,
            primary: down(since: 0),
            b1: down(since: 990),
            current: onBackup("b1", since: 100)
        )
        let decision = kind.decide(backupDead)
        #expect(decision == .refuse(decision.reason))
        #expect(decision.reason.code == .effectiveBackupDown)
    }
}
