/// The state of one client connection, as a value: what ``ProxyConnectionHandler`` may do next.
///
/// The handler tells the machine what happened (`didX` / `willX`); the machine updates its state
/// and answers with the action the handler then performs on the channel. The machine never
/// touches a channel, so it is tested as a plain value, and no channel call (which may re-enter
/// the handler, e.g. a close running `channelInactive`) happens inside one of its mutating calls.
///
/// ```
///            didReceiveQuiesce            last query done / none in flight
///   serving ───────────────────▶ draining ───────────────────────────────▶ (close)
///      │                            │
///      │ didFailInput               │ didFailInput
///      ▼                            ▼
///   inputFailed ◀───────────────────┘
///
///   any state ── didClose ──▶ closed
/// ```
///
/// - `serving`: reads and answers requests; reading pauses while `maxInflight` queries are in
///   flight or the client's output buffer is full (back-pressure). Requests read beyond that
///   (one read brings many) wait in the connection (``didHoldInput()``) and are served as slots
///   free; reading resumes once they are (``didServeHeldInput()``).
/// - `draining`: the connection was asked to quiesce (`ChannelShouldQuiesceEvent`): it reads no
///   more, answers what is in flight with a flush each, and closes after the last reply.
/// - `inputFailed`: a malformed frame was read; the connection is closing and its further bytes
///   are ignored (replies to queries still in flight are still written until it is closed).
/// - `closed`: the channel is inactive; everything is a no-op and replies are dropped.
///
/// Transitions that cannot happen (a query finishing with none in flight) answer `.close`: the
/// connection closes cleanly rather than trapping.
///
/// Every call is a switch over a few bytes of state: no allocation, no existential, no reference
/// counting (it sits on the per-request path).
struct ProxyConnectionStateMachine {
    /// The connection's phase, each with the data it needs.
    enum State: Equatable {
        /// Reading and answering requests.
        case serving(Flow)
        /// Asked to quiesce: reads no more, answers what is in flight, then closes.
        case draining(Flow)
        /// A malformed frame was read: closing, further input ignored.
        case inputFailed(Flow)
        /// The channel is inactive.
        case closed
    }

    /// The back-pressure and output bookkeeping of an open connection.
    struct Flow: Equatable {
        /// Queries read and not yet answered.
        var inflight = 0
        /// A read was withheld (back-pressure) and has to be passed on once the pause ends.
        var readPending = false
        /// The current read pause has been counted as caused by a full output buffer.
        var pausedForOutput = false
        /// The channel's writability as of its last change.
        var writable = true
        /// Replies were written this tick and a flush at its end is already asked for.
        var flushScheduled = false
        /// Requests already read wait in the connection for a free slot (``didHoldInput()``):
        /// reading stays paused until they are served (``didServeHeldInput()``).
        var heldInput = false
    }

    /// Which read-pause counters a new pause increments.
    struct PauseCounters: OptionSet, Equatable {
        let rawValue: UInt8
        /// `read_paused`: a read was withheld.
        static let readPause = PauseCounters(rawValue: 1)
        /// `read_paused_full_output`: the client's unread replies are a cause of the pause.
        static let fullOutput = PauseCounters(rawValue: 2)
    }

    /// What to do about reading (after a read request, a writability change or a finished query).
    enum ReadAction: Equatable {
        /// Nothing.
        case none
        /// Pass a read on to the channel (`context.read()`).
        case read
        /// The read stays withheld; count `PauseCounters` (never empty).
        case countPause(PauseCounters)
        /// Serve the requests held in the connection (then ``didServeHeldInput()``).
        case serveHeldInput
    }

    /// What to do with a reply about to be written.
    enum ReplyAction: Equatable {
        /// Leave it with the others of this tick; `scheduleFlush`: ask for the end-of-tick flush
        /// (no flush was asked for yet in this tick).
        case flushAtEndOfTick(scheduleFlush: Bool)
        /// Draining: write and flush it now (the last one closes the connection once written).
        case flushNow
        /// The connection is closed: drop it.
        case drop
    }

    /// What to do after a query was answered.
    enum CompletionAction: Equatable {
        /// Nothing.
        case none
        /// Pass the withheld read on (`context.read()`): back-pressure ended.
        case read
        /// Close the connection once the reply just sent (if any) is written.
        case close
        /// A slot is free and requests wait in the connection: serve them (then
        /// ``didServeHeldInput()``).
        case serveHeldInput
    }

    /// What to do after the connection was asked to quiesce.
    enum QuiesceAction: Equatable {
        /// Nothing now (queries in flight close it later, or it is closing anyway).
        case none
        /// Nothing in flight: flush and close now.
        case close
        /// Requests already read wait in the connection: serve them (draining admits them all),
        /// then tell the machine (``didServeHeldInput()``).
        case serveHeldInput
    }

    /// What to do once the requests held in the connection were served.
    enum HeldInputAction: Equatable {
        /// Nothing.
        case none
        /// Pass the withheld read on: nothing holds reading any more.
        case read
        /// Draining and nothing in flight: flush and close.
        case close
    }

    private(set) var state: State = .serving(Flow())
    /// Queries one connection may have in flight before reading pauses.
    let maxInflight: Int

    init(maxInflight: Int) {
        self.maxInflight = maxInflight
    }

    // MARK: - Queries

    /// Whether bytes read are still served (serving or draining; not after a malformed frame or
    /// once closed). Asked before each frame of a read, since serving one may close the connection.
    var acceptsInput: Bool {
        switch state {
        case .serving, .draining: true
        case .inputFailed, .closed: false
        }
    }

    /// Whether one more request already read may be served now: serving with a free slot and a
    /// client that reads its replies; draining serves everything already read (it reads no more).
    /// Asked before each frame, so a read of many frames never starts more than the free slots.
    var admitsRequest: Bool {
        switch state {
        case .serving(let flow): flow.inflight < maxInflight && flow.writable
        case .draining: true
        case .inputFailed, .closed: false
        }
    }

    /// Whether requests already read wait in the connection for a slot.
    var holdsInput: Bool {
        switch state {
        case .serving(let flow), .draining(let flow), .inputFailed(let flow): flow.heldInput
        case .closed: false
        }
    }

    /// Whether a read is withheld now (back-pressure): the rest of an incomplete frame may be waiting
    /// in the kernel because of the proxy, not because of the client.
    var withholdsRead: Bool {
        switch state {
        case .serving(let flow): flow.readPending
        case .draining, .inputFailed, .closed: false
        }
    }

    /// Whether the channel is still active (replies and route lookups go on).
    var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }

    // MARK: - Events

    /// A query was read and takes a slot until its reply. Returns `false` if the connection is
    /// closed (the query is dropped: no reply could be written).
    mutating func didStartQuery() -> Bool {
        switch state {
        case .serving(var flow):
            flow.inflight += 1
            state = .serving(flow)
        case .draining(var flow):
            flow.inflight += 1
            state = .draining(flow)
        case .inputFailed(var flow):
            flow.inflight += 1
            state = .inputFailed(flow)
        case .closed:
            return false
        }
        return true
    }

    /// A query's reply was sent (or the query was abandoned): its slot is free.
    mutating func didFinishQuery() -> CompletionAction {
        switch state {
        case .serving(var flow):
            guard flow.inflight > 0 else { return .close }
            flow.inflight -= 1
            if flow.heldInput {
                state = .serving(flow)
                return flow.writable ? .serveHeldInput : .none
            }
            let action: CompletionAction = flow.resumeReading(maxInflight: maxInflight) ? .read : .none
            state = .serving(flow)
            return action
        case .draining(var flow):
            guard flow.inflight > 0 else { return .close }
            flow.inflight -= 1
            state = .draining(flow)
            return flow.inflight == 0 && !flow.heldInput ? .close : .none
        case .inputFailed(var flow):
            guard flow.inflight > 0 else { return .close }
            flow.inflight -= 1
            state = .inputFailed(flow)
            return .none
        case .closed:
            return .none
        }
    }

    /// A reply is about to be written: when it is flushed.
    mutating func willSendReply() -> ReplyAction {
        switch state {
        case .serving(var flow):
            guard !flow.flushScheduled else { return .flushAtEndOfTick(scheduleFlush: false) }
            flow.flushScheduled = true
            state = .serving(flow)
            return .flushAtEndOfTick(scheduleFlush: true)
        case .inputFailed(var flow):
            guard !flow.flushScheduled else { return .flushAtEndOfTick(scheduleFlush: false) }
            flow.flushScheduled = true
            state = .inputFailed(flow)
            return .flushAtEndOfTick(scheduleFlush: true)
        case .draining:
            return .flushNow
        case .closed:
            return .drop
        }
    }

    /// The end-of-tick flush asked for runs: whether to flush (not once closed).
    mutating func didRunDeferredFlush() -> Bool {
        switch state {
        case .serving(var flow):
            flow.flushScheduled = false
            state = .serving(flow)
        case .draining(var flow):
            flow.flushScheduled = false
            state = .draining(flow)
        case .inputFailed(var flow):
            flow.flushScheduled = false
            state = .inputFailed(flow)
        case .closed:
            return false
        }
        return true
    }

    /// The channel asks for a read (`read(context:)`): pass it on, or withhold it (back-pressure,
    /// draining, closing).
    mutating func willRead() -> ReadAction {
        switch state {
        case .serving(var flow):
            guard flow.inflight >= maxInflight || !flow.writable || flow.heldInput else { return .read }
            var counters: PauseCounters = []
            if !flow.readPending {
                flow.readPending = true
                counters.insert(.readPause)
            }
            counters.formUnion(flow.notePausedForOutput())
            state = .serving(flow)
            return counters.isEmpty ? .none : .countPause(counters)
        case .draining, .inputFailed, .closed:
            return .none
        }
    }

    /// The channel's writability changed: a paused read may now also wait for the client to read
    /// its replies, or may resume.
    mutating func didChangeWritability(isWritable: Bool) -> ReadAction {
        switch state {
        case .serving(var flow):
            flow.writable = isWritable
            let counters = flow.notePausedForOutput()
            let resume = flow.resumeReading(maxInflight: maxInflight)
            state = .serving(flow)
            if resume { return .read }
            if isWritable, flow.heldInput, flow.inflight < maxInflight { return .serveHeldInput }
            return counters.isEmpty ? .none : .countPause(counters)
        case .draining(var flow):
            flow.writable = isWritable
            let counters = flow.notePausedForOutput()
            state = .draining(flow)
            return counters.isEmpty ? .none : .countPause(counters)
        case .inputFailed(var flow):
            flow.writable = isWritable
            state = .inputFailed(flow)
            return .none
        case .closed:
            return .none
        }
    }

    /// Requests already read could not all be served (``admitsRequest`` was false): they wait in
    /// the connection, and reading stays paused until they are served.
    mutating func didHoldInput() {
        switch state {
        case .serving(var flow):
            flow.heldInput = true
            state = .serving(flow)
        case .draining(var flow):
            flow.heldInput = true
            state = .draining(flow)
        case .inputFailed, .closed:
            break
        }
    }

    /// Every complete request held in the connection was served (what is left, if anything, is
    /// an incomplete frame): reading may resume, or a draining connection with nothing in flight
    /// closes.
    mutating func didServeHeldInput() -> HeldInputAction {
        switch state {
        case .serving(var flow):
            flow.heldInput = false
            let resume = flow.resumeReading(maxInflight: maxInflight)
            state = .serving(flow)
            return resume ? .read : .none
        case .draining(var flow):
            flow.heldInput = false
            state = .draining(flow)
            return flow.inflight == 0 ? .close : .none
        case .inputFailed, .closed:
            return .none
        }
    }

    /// The connection is asked to quiesce (`ChannelShouldQuiesceEvent`): stop reading, answer what
    /// is in flight, close after the last reply.
    mutating func didReceiveQuiesce() -> QuiesceAction {
        switch state {
        case .serving(let flow):
            state = .draining(flow)
            if flow.heldInput { return .serveHeldInput }
            return flow.inflight == 0 ? .close : .none
        case .draining, .inputFailed, .closed:
            return .none
        }
    }

    /// A malformed frame was read: the connection closes, and its further bytes are ignored.
    mutating func didFailInput() {
        switch state {
        case .serving(let flow), .draining(let flow), .inputFailed(let flow):
            state = .inputFailed(flow)
        case .closed:
            break
        }
    }

    /// The channel became inactive.
    mutating func didClose() {
        state = .closed
    }
}

extension ProxyConnectionStateMachine.Flow {
    /// A withheld read that is also waiting for the client to read its replies counts once as such.
    fileprivate mutating func notePausedForOutput() -> ProxyConnectionStateMachine.PauseCounters {
        guard readPending, !writable, !pausedForOutput else { return [] }
        pausedForOutput = true
        return .fullOutput
    }

    /// Ends the read pause if nothing holds it any more; returns whether the withheld read is to be
    /// passed on.
    fileprivate mutating func resumeReading(maxInflight: Int) -> Bool {
        guard readPending, inflight < maxInflight, writable, !heldInput else { return false }
        readPending = false
        pausedForOutput = false
        return true
    }
}
