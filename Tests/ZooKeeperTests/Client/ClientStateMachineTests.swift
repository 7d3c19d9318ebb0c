import CZooKeeper
import Testing

@testable import ZooKeeper

/// The lifecycle decisions as values. Handles are not needed except where a case carries one; those tests use
/// no C calls on them.
@Suite("ClientStateMachine")
struct ClientStateMachineTests {
    @Test("connect from idle creates a session and publishes connecting; a second connect waits")
    func connectFromIdle() {
        var machine = ClientStateMachine(auth: .digest("u:p"))
        guard case .createSession(let publication) = machine.connectRequested() else {
            Issue.record("expected createSession")
            return
        }
        #expect(publication?.state == .connecting)
        #expect(machine.sessionState == .connecting)
        guard case .wait = machine.connectRequested() else {
            Issue.record("expected wait")
            return
        }
        guard case .create(let generation, let auths) = machine.sessionCreationStarting() else {
            Issue.record("expected create")
            return
        }
        #expect(generation == 1)
        #expect(auths == [.digest("u:p")])
    }

    @Test("requests before connect are invalidState, while starting connectionLoss, after close closing")
    func requestDecisions() {
        var machine = ClientStateMachine(auth: nil)
        guard case .fail(let idleCode, _) = machine.handleForRequest() else {
            Issue.record("expected fail")
            return
        }
        #expect(idleCode == .invalidState)
        _ = machine.connectRequested()
        guard case .fail(let startingCode, _) = machine.handleForRequest() else {
            Issue.record("expected fail")
            return
        }
        #expect(startingCode == .connectionLoss)
        guard case .startClose = machine.closeRequested() else {
            Issue.record("expected startClose")
            return
        }
        guard case .fail(let closingCode, _) = machine.handleForRequest() else {
            Issue.record("expected fail")
            return
        }
        #expect(closingCode == .closing)
    }

    @Test("close runs once: later calls wait, then see closed; connect after close fails")
    func closeOnce() {
        var machine = ClientStateMachine(auth: nil)
        guard case .startClose = machine.closeRequested() else {
            Issue.record("expected startClose")
            return
        }
        guard case .waitForClose = machine.closeRequested() else {
            Issue.record("expected waitForClose")
            return
        }
        #expect(machine.sessionCreationStarting().isSkip)
        #expect(machine.takeHandleForClose() == nil)
        let finished = machine.closeFinished()
        #expect(finished.publication?.state == .closed)
        #expect(machine.sessionState == .closed)
        guard case .alreadyClosed = machine.closeRequested() else {
            Issue.record("expected alreadyClosed")
            return
        }
        guard case .fail(let code) = machine.connectRequested() else {
            Issue.record("expected fail")
            return
        }
        #expect(code == .closing)
    }

    @Test("session events of no current handle are ignored; authAdded remembers credentials once")
    func staleEventsIgnored() {
        var machine = ClientStateMachine(auth: nil)
        _ = machine.connectRequested()
        guard case .none = machine.sessionEvent(generation: 1, cState: ZOO_CONNECTED_STATE, sessionID: 7) else {
            Issue.record("expected none")
            return
        }
        #expect(machine.sessionID == nil)
        machine.authAdded(.digest("a:b"))
        machine.authAdded(.digest("a:b"))
        guard case .create(_, let auths) = machine.sessionCreationStarting() else {
            Issue.record("expected create")
            return
        }
        #expect(auths == [.digest("a:b")])
    }

    @Test("the handle being created may report before it is installed: connected counts, other generations do not")
    func eventsOfTheHandleBeingCreated() throws {
        var machine = ClientStateMachine(auth: nil)
        let generation = try #require(Self.creatingFirstHandle(&machine))
        // An older handle's late event (generation 0) and an unknown one are still ignored.
        for stale in [generation - 1, generation + 1] {
            guard case .none = machine.sessionEvent(generation: stale, cState: ZOO_CONNECTED_STATE, sessionID: 9) else {
                Issue.record("expected none for generation \(stale)")
                return
            }
        }
        // zookeeper_init2 has not returned yet, but its C client already has a session.
        #expect(Self.published(machine.sessionEvent(generation: generation, cState: ZOO_CONNECTED_STATE, sessionID: 7)) == .connected)
        #expect(machine.sessionState == .connected)
        #expect(machine.sessionID == 7)
    }

    @Test("a session that expired before its handle was installed is replaced once installed")
    func expiredBeforeInstall() throws {
        var machine = ClientStateMachine(auth: nil)
        let generation = try #require(Self.creatingFirstHandle(&machine))
        #expect(Self.published(machine.sessionEvent(generation: generation, cState: ZOO_EXPIRED_SESSION_STATE, sessionID: 7)) == .expired)
        // A real C handle (its client tries a port nobody listens on); closed at the end.
        let context = SessionContext(generation: generation) { _, _, _ in }
        let handle = try ZooKeeperHandle.open(
            configuration: ZooKeeperConfiguration(hosts: ["127.0.0.1:1"]), context: context, auths: []
        ).get()
        defer { _ = handle.close(failing: .closing) }
        guard case .replaceExpired(let expired) = machine.sessionCreated(handle) else {
            Issue.record("expected replaceExpired")
            return
        }
        #expect(expired === handle)
        let replacing = machine.replacementStarting(expired: handle)
        #expect(replacing)
        // The replacement's own handle starts clean.
        guard case .create(let next, _) = machine.sessionCreationStarting() else {
            Issue.record("expected create")
            return
        }
        #expect(next == generation + 1)
    }

    @Test("subscribers get the current state; after close a subscription gets closed only")
    func subscribers() {
        var machine = ClientStateMachine(auth: nil)
        let (_, continuation) = AsyncStream.makeStream(of: SessionState.self)
        let (id, current) = machine.subscribe(continuation)
        #expect(id != nil)
        #expect(current == .disconnected)
        guard case .createSession(let publication) = machine.connectRequested() else {
            Issue.record("expected createSession")
            return
        }
        #expect(publication?.subscribers.count == 1)
        _ = machine.closeRequested()
        let finished = machine.closeFinished()
        #expect(finished.subscribers.count == 1)
        let (lateID, lateState) = machine.subscribe(continuation)
        #expect(lateID == nil)
        #expect(lateState == .closed)
    }
}

extension ClientStateMachineTests {
    /// Connects from idle and starts creating the first handle: its generation, or `nil`.
    fileprivate static func creatingFirstHandle(_ machine: inout ClientStateMachine) -> Int? {
        _ = machine.connectRequested()
        guard case .create(let generation, _) = machine.sessionCreationStarting() else { return nil }
        return generation
    }

    /// The state a session event's action publishes, or `nil` when it publishes none.
    fileprivate static func published(_ action: ClientStateMachine.SessionEventAction) -> SessionState? {
        guard case .publish(let publication) = action else { return nil }
        return publication?.state
    }
}

extension ClientStateMachine.CreateDecision {
    fileprivate var isSkip: Bool {
        if case .skip = self { return true }
        return false
    }
}
