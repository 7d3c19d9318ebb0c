import FailoverPolicy
import Testing

@Suite("Kind manual")
struct ManualKindTests {
    @Test("never switches by itself")
    func neverSwitches() {
        let kind = ManualKind(spec: testSpec(kind: "manual"))
        let dead = kind.decide(makeInput(now: 10_000, primary: down(since: 0)))
        #expect(dead == .keep(dead.reason))
        #expect(dead.reason.code == .manualPolicy)
        let onBackupInput = makeInput(now: 10_000, primary: up(since: 0), current: onBackup("b1", since: 0))
        #expect(kind.decide(onBackupInput).reason.code == .manualPolicy)
        #expect(kind.decide(makeInput(now: 1, primary: down(since: 0), globallyPaused: true)).reason.code == .paused)
    }
}
