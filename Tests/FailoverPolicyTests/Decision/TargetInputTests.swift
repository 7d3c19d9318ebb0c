import FailoverPolicy
import Testing

/// The policy inputs about the target itself: its table denying client requests
/// (``DecisionInput/deniedTargets``) and a duplication not observed yet
/// (``DecisionInput/pendingDuplicationReads``).
@Suite("Target inputs: denied requests, duplication not observed yet")
struct TargetInputTests {
    private func refusal(_ result: Result<Decision, ManualSwitch.Refusal>) -> DecisionReason? {
        guard case .failure(let refusal) = result else {
            return nil
        }
        return refusal.reason
    }

    @Test("automatic: a backup whose table denies client requests is never the target; the next one is")
    func automaticSkipsDenyingBackup() {
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))
        var input = makeInput(now: 102, primary: down(since: 100))
        input.deniedTargets = ["b1": "reconfig*all"]
        let decision = kind.decide(input)
        guard case .switchTo(let cluster, _) = decision else {
            Issue.record("expected a switch to b2, got \(decision)")
            return
        }
        #expect(cluster == "b2")

        input.deniedTargets["b2"] = "timeout*write"
        let refused = kind.decide(input)
        guard case .refuse(let reason) = refused else {
            Issue.record("expected a refusal, got \(refused)")
            return
        }
        #expect(reason.code == .targetDeniesRequests)
        #expect(reason.text.contains("replica.deny_client_request=reconfig*all"))
        #expect(reason.text.contains("replica.deny_client_request=timeout*write"))
    }

    @Test("automatic failback never goes to a primary whose table denies client requests")
    func failbackRefusesDenyingPrimary() {
        let kind = AutoFailoverFailbackKind(spec: testSpec(kind: "auto-failover-failback"))
        var input = makeInput(
            now: 1000, primary: up(since: 0), reverse: ["b1": duplication(observed: 999)],
            current: onBackup("b1", since: 10))
        #expect(kind.decide(input).reason.code == .primaryHealthy)
        input.deniedTargets = ["pa": "reconfig*all"]
        #expect(kind.decide(input) == .refuse(kind.decide(input).reason))
        #expect(kind.decide(input).reason.code == .targetDeniesRequests)
    }

    @Test("manual: refused towards a denying cluster, either way, unless forced")
    func manualRefusesUnlessForced() throws {
        let spec = testSpec(kind: "manual")
        var input = makeInput(now: 100, primary: up(since: 0))
        input.deniedTargets = ["b1": "reconfig*write"]
        #expect(refusal(ManualSwitch.validate(to: "b1", input: input, spec: spec, force: false))?.code == .targetDeniesRequests)
        let forced = try ManualSwitch.validate(to: "b1", input: input, spec: spec, force: true).get()
        #expect(forced.reason.code == .operatorForced)
        #expect(forced.reason.text.contains("denies client requests"))
        // Not denying: b2 is fine.
        #expect((try? ManualSwitch.validate(to: "b2", input: input, spec: spec, force: false).get())?.reason.code == .operatorRequest)

        var back = makeInput(
            now: 100, primary: up(since: 0), reverse: ["b1": duplication(observed: 99)], current: onBackup("b1", since: 50))
        back.deniedTargets = ["pa": "timeout*all"]
        #expect(refusal(ManualSwitch.validate(to: "pa", input: back, spec: spec, force: false))?.code == .targetDeniesRequests)
        #expect((try? ManualSwitch.validate(to: "pa", input: back, spec: spec, force: true).get())?.reason.code == .operatorForced)
    }

    @Test("a duplication not observed yet says when the first read is due, not 'no duplication'")
    func notObservedYet() throws {
        let spec = testSpec(kind: "manual")
        var input = makeInput(now: 100, primary: up(since: 0), b1Duplication: .some(nil))
        #expect(refusal(ManualSwitch.validate(to: "b1", input: input, spec: spec, force: false))?.code == .notDuplicating)
        input.pendingDuplicationReads = ["b1": DecisionInput.PendingRead(dueAt: at(102.4))]
        let pending = try #require(refusal(ManualSwitch.validate(to: "b1", input: input, spec: spec, force: false)))
        #expect(pending.code == .duplicationNotObserved)
        #expect(pending.text == "pa → b1: duplication not observed yet; first duplication read due in 3s")
        input.pendingDuplicationReads = ["b1": DecisionInput.PendingRead(waitingFor: "pa to be up")]
        let waiting = try #require(refusal(ManualSwitch.validate(to: "b1", input: input, spec: spec, force: false)))
        #expect(waiting.text.hasSuffix("first duplication read waits for pa to be up"))

        // An observation, once made, wins over a stale pending entry.
        input.duplications["b1"] = duplication(observed: 99)
        #expect((try? ManualSwitch.validate(to: "b1", input: input, spec: spec, force: false).get())?.reason.code == .operatorRequest)

        // Automatic: the same reason.
        let kind = AutoFailoverKind(spec: testSpec(kind: "auto-failover"))
        var auto = makeInput(now: 102, primary: down(since: 100), b1Duplication: .some(nil), b2Duplication: .some(nil))
        auto.pendingDuplicationReads = ["b1": DecisionInput.PendingRead(dueAt: at(103))]
        #expect(kind.decide(auto).reason.code == .duplicationNotObserved)
    }
}
