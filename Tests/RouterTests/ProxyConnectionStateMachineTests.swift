import Testing

@testable import Router

/// ``ProxyConnectionStateMachine`` as a value: every event, the action it answers and the state
/// it leaves, with no channel.
@Suite("Proxy connection state machine")
struct ProxyConnectionStateMachineTests {
    typealias Machine = ProxyConnectionStateMachine
    typealias Flow = ProxyConnectionStateMachine.Flow

    /// A serving machine with `inflight` queries started.
    static func serving(maxInflight: Int = 2, inflight: Int = 0) -> Machine {
        var machine = Machine(maxInflight: maxInflight)
        for _ in 0..<inflight { #expect(machine.didStartQuery() == true) }
        return machine
    }

    @Test("a new connection serves: reads pass, input is accepted")
    func startsServing() {
        var machine = Machine(maxInflight: 4)
        #expect(machine.state == .serving(Flow()))
        #expect(machine.acceptsInput)
        #expect(machine.isOpen)
        #expect(machine.willRead() == .read)
    }

    @Test("at max in flight a read is withheld and the pause counted once; a finished query resumes it")
    func inflightBackPressure() {
        var machine = Self.serving(maxInflight: 2, inflight: 2)
        #expect(machine.willRead() == .countPause(.readPause))
        #expect(machine.willRead() == .none)  // the same pause
        #expect(machine.state == .serving(Flow(inflight: 2, readPending: true)))
        #expect(machine.didFinishQuery() == .read)
        #expect(machine.state == .serving(Flow(inflight: 1)))
        // No read pending any more: the next finished query has nothing to resume.
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.state == .serving(Flow()))
    }

    @Test("a withheld read is visible (frame_timeout does not run while the proxy is not reading)")
    func withholdsRead() {
        var machine = Self.serving(maxInflight: 1, inflight: 1)
        #expect(!machine.withholdsRead)
        #expect(machine.willRead() == .countPause(.readPause))
        #expect(machine.withholdsRead)
        #expect(machine.didFinishQuery() == .read)
        #expect(!machine.withholdsRead)
    }

    @Test("a full output buffer pauses reading (counted as such once) until the client reads again")
    func fullOutputBackPressure() {
        var machine = Self.serving(maxInflight: 2)
        #expect(machine.didChangeWritability(isWritable: false) == .none)  // no read pending yet
        #expect(machine.willRead() == .countPause([.readPause, .fullOutput]))
        #expect(machine.willRead() == .none)
        #expect(machine.didChangeWritability(isWritable: true) == .read)
        #expect(machine.state == .serving(Flow()))
    }

    @Test("a read paused for in-flight queries also waits for a full output buffer, counted once")
    func pausedThenOutputFull() {
        var machine = Self.serving(maxInflight: 1, inflight: 1)
        #expect(machine.willRead() == .countPause(.readPause))
        #expect(machine.didChangeWritability(isWritable: false) == .countPause(.fullOutput))
        #expect(machine.didChangeWritability(isWritable: false) == .none)
        // The query ends but the client still reads nothing: no read yet.
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.didChangeWritability(isWritable: true) == .read)
        #expect(machine.state == .serving(Flow()))
    }

    @Test("replies of one tick ask for one end-of-tick flush")
    func oneFlushPerTick() {
        var machine = Self.serving()
        #expect(machine.willSendReply() == .flushAtEndOfTick(scheduleFlush: true))
        #expect(machine.willSendReply() == .flushAtEndOfTick(scheduleFlush: false))
        #expect(machine.didRunDeferredFlush() == true)
        #expect(machine.willSendReply() == .flushAtEndOfTick(scheduleFlush: true))
    }

    @Test("quiesce with nothing in flight closes at once")
    func quiesceIdle() {
        var machine = Self.serving()
        #expect(machine.didReceiveQuiesce() == .close)
        #expect(machine.state == .draining(Flow()))
    }

    @Test("quiesce with queries in flight: no more reads, each reply flushed, the last one closes")
    func quiesceWithInflight() {
        var machine = Self.serving(maxInflight: 8, inflight: 2)
        #expect(machine.didReceiveQuiesce() == .none)
        #expect(machine.state == .draining(Flow(inflight: 2)))
        #expect(machine.willRead() == .none)
        // Frames of a read already under way are still served.
        #expect(machine.acceptsInput)
        #expect(machine.didStartQuery() == true)
        #expect(machine.willSendReply() == .flushNow)
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.willSendReply() == .flushNow)
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.willSendReply() == .flushNow)
        #expect(machine.didFinishQuery() == .close)
        #expect(machine.state == .draining(Flow()))
        // A second quiesce changes nothing.
        #expect(machine.didReceiveQuiesce() == .none)
    }

    @Test("a read paused by back-pressure does not resume while draining")
    func drainingDoesNotResume() {
        var machine = Self.serving(maxInflight: 2, inflight: 2)
        #expect(machine.willRead() == .countPause(.readPause))
        #expect(machine.didReceiveQuiesce() == .none)
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.didChangeWritability(isWritable: true) == .none)
        #expect(machine.didFinishQuery() == .close)
    }

    @Test("a malformed frame: input ignored, no reads, replies in flight still written, quiesce ignored")
    func inputFailed() {
        var machine = Self.serving(inflight: 1)
        machine.didFailInput()
        #expect(machine.state == .inputFailed(Flow(inflight: 1)))
        #expect(!machine.acceptsInput)
        #expect(machine.isOpen)
        #expect(machine.willRead() == .none)
        #expect(machine.didReceiveQuiesce() == .none)
        #expect(machine.willSendReply() == .flushAtEndOfTick(scheduleFlush: true))
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.didRunDeferredFlush() == true)
    }

    @Test("a draining connection that reads a malformed frame fails its input")
    func drainingThenInputFailed() {
        var machine = Self.serving(inflight: 1)
        _ = machine.didReceiveQuiesce()
        machine.didFailInput()
        #expect(machine.state == .inputFailed(Flow(inflight: 1)))
    }

    @Test("once closed every event is a no-op and replies are dropped", arguments: [false, true])
    func closed(draining: Bool) {
        var machine = Self.serving(inflight: 1)
        if draining { _ = machine.didReceiveQuiesce() }
        _ = machine.willSendReply()
        machine.didClose()
        #expect(machine.state == .closed)
        #expect(!machine.acceptsInput)
        #expect(!machine.isOpen)
        #expect(machine.didStartQuery() == false)
        #expect(machine.willSendReply() == .drop)
        #expect(machine.didRunDeferredFlush() == false)  // the flush asked for before the close
        #expect(machine.didFinishQuery() == .none)
        #expect(machine.willRead() == .none)
        #expect(machine.didChangeWritability(isWritable: false) == .none)
        #expect(machine.didReceiveQuiesce() == .none)
        machine.didFailInput()
        #expect(machine.state == .closed)
    }

    @Test("a query finishing with none in flight (impossible) closes the connection instead of trapping")
    func impossibleFinishCloses() {
        var serving = Self.serving()
        #expect(serving.didFinishQuery() == .close)
        #expect(serving.state == .serving(Flow()))
        var draining = Self.serving()
        _ = draining.didReceiveQuiesce()
        #expect(draining.didFinishQuery() == .close)
        var failed = Self.serving()
        failed.didFailInput()
        #expect(failed.didFinishQuery() == .close)
    }

    @Test("requests read beyond the free slots are held: reading stays paused until a freed slot has served them")
    func heldInputWaitsForSlot() {
        var machine = Self.serving(maxInflight: 2, inflight: 2)
        #expect(!machine.admitsRequest)
        machine.didHoldInput()
        #expect(machine.holdsInput)
        #expect(machine.willRead() == .countPause(.readPause))
        // A slot frees: the held requests are served first, not a new read.
        #expect(machine.didFinishQuery() == .serveHeldInput)
        #expect(machine.admitsRequest)
        #expect(machine.didStartQuery() == true)
        // All held requests served, but the last took the free slot: the read stays withheld
        // until the next slot frees.
        #expect(machine.didServeHeldInput() == .none)
        #expect(machine.state == .serving(Flow(inflight: 2, readPending: true)))
        #expect(machine.didFinishQuery() == .read)
        #expect(machine.state == .serving(Flow(inflight: 1)))
    }

    @Test("a client that does not take its replies admits no request; writable again, the held ones are served")
    func heldInputWaitsForWritability() {
        var machine = Self.serving(maxInflight: 4)
        #expect(machine.didChangeWritability(isWritable: false) == .none)
        #expect(!machine.admitsRequest)
        machine.didHoldInput()
        #expect(machine.willRead() == .countPause([.readPause, .fullOutput]))
        #expect(machine.didChangeWritability(isWritable: true) == .serveHeldInput)
        #expect(machine.didServeHeldInput() == .read)
        #expect(machine.state == .serving(Flow()))
    }

    @Test("draining with requests held: they are served (draining admits all), then the connection closes")
    func drainingServesHeldInput() {
        var machine = Self.serving(maxInflight: 1, inflight: 1)
        machine.didHoldInput()
        #expect(machine.didReceiveQuiesce() == .serveHeldInput)
        #expect(machine.admitsRequest)
        #expect(machine.didFinishQuery() == .none)  // held input not served yet: no close
        #expect(machine.didServeHeldInput() == .close)
    }
}
