import FailoverPolicy
import Testing

@Suite("Manual switch")
struct ManualSwitchTests {
    let spec = testSpec(kind: "manual")

    private func refusal(_ result: Result<Decision, ManualSwitch.Refusal>) -> DecisionReason.Code? {
        guard case .failure(let refusal) = result else {
            return nil
        }
        return refusal.reason.code
    }

    @Test("unknown cluster and already-active are refused even when forced")
    func alwaysRefused() {
        let input = makeInput(now: 100, primary: up(since: 0))
        #expect(refusal(ManualSwitch.validate(to: "nowhere", input: input, spec: spec, force: true)) == .unknownCluster)
        #expect(refusal(ManualSwitch.validate(to: "pa", input: input, spec: spec, force: true)) == .alreadyActive)
    }

    @Test("to a backup: allowed when the guard holds, even while paused or in cooldown")
    func toBackup() throws {
        var input = makeInput(now: 100, primary: up(since: 0), tablePaused: true)
        input.current.lastSwitchAt = at(99)
        let decision = try ManualSwitch.validate(to: "b2", input: input, spec: spec, force: false).get()
        #expect(decision == .switchTo(cluster: "b2", reason: decision.reason))
        #expect(decision.reason.code == .operatorRequest)
    }

    @Test("guard failures refuse unless forced")
    func guardFailure() throws {
        let input = makeInput(now: 100, primary: down(since: 0), b1Duplication: duplication(lag: 5000, observed: 99))
        #expect(refusal(ManualSwitch.validate(to: "b1", input: input, spec: spec, force: false)) == .lagTooHigh)
        let forced = try ManualSwitch.validate(to: "b1", input: input, spec: spec, force: true).get()
        #expect(forced == .switchTo(cluster: "b1", reason: forced.reason))
        #expect(forced.reason.code == .operatorForced)
        #expect(forced.reason.text.contains("lag 5000 decrees"))

        let backupDown = makeInput(now: 100, primary: up(since: 0), b1: down(since: 0))
        #expect(refusal(ManualSwitch.validate(to: "b1", input: backupDown, spec: spec, force: false)) == .targetNotUp)
    }

    @Test("between backups needs force")
    func betweenBackups() {
        let input = makeInput(now: 100, primary: down(since: 0), current: onBackup("b1", since: 50))
        #expect(refusal(ManualSwitch.validate(to: "b2", input: input, spec: spec, force: false)) == .betweenBackups)
        let forced = ManualSwitch.validate(to: "b2", input: input, spec: spec, force: true)
        #expect((try? forced.get())?.reason.code == .operatorForced)
    }

    @Test("back to the primary: guarded by the reverse duplication")
    func back() throws {
        let current = onBackup("b1", since: 50)
        let unknown = makeInput(now: 100, primary: up(since: 0), current: current)
        #expect(
            refusal(ManualSwitch.validate(to: "pa", input: unknown, spec: spec, force: false))
                == .reverseDuplicationUnknown
        )

        var lenientSpec = spec
        lenientSpec.failback.requireReverseDuplication = false
        let lenient = try ManualSwitch.validate(to: "pa", input: unknown, spec: lenientSpec, force: false).get()
        #expect(lenient == .switchBack(lenient.reason))
        #expect(lenient.reason.code == .operatorRequest)

        let guarded = makeInput(
            now: 100,
            primary: up(since: 0),
            reverse: ["b1": duplication(lag: 1, observed: 99)],
            current: current
        )
        let decision = try ManualSwitch.validate(to: "pa", input: guarded, spec: spec, force: false).get()
        #expect(decision == .switchBack(decision.reason))

        let primaryDown = makeInput(
            now: 100,
            primary: down(since: 0),
            reverse: ["b1": duplication(observed: 99)],
            current: current
        )
        #expect(refusal(ManualSwitch.validate(to: "pa", input: primaryDown, spec: spec, force: false)) == .targetNotUp)
        #expect((try? ManualSwitch.validate(to: "pa", input: primaryDown, spec: spec, force: true).get()) != nil)
    }
}
