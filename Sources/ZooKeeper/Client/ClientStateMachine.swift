import CZooKeeper

/// The lifecycle of a ``ZooKeeperClient``: which handle is current, the published session state, subscribers,
/// and close. Pure decisions, held under the client's lock; the client performs the returned actions (C calls,
/// continuation resumes, yields) after releasing it.
///
/// Handle creation, replacement and `zookeeper_close` run on the client's serial lifecycle queue; `starting` and
/// `closing` are the states in which such work is queued or running.
struct ClientStateMachine {
    /// Yields one state to a set of subscribers, outside the lock.
    struct Publication {
        let state: SessionState
        let subscribers: [AsyncStream<SessionState>.Continuation]

        func run() {
            for subscriber in subscribers {
                subscriber.yield(state)
            }
        }
    }

    private enum Phase {
        /// ``ZooKeeperClient/connect()`` was never called (or creating the first handle failed).
        case idle
        /// A handle is being created on the lifecycle queue (first connect, or replacing an expired one).
        case starting
        /// A handle exists; the C client connects, serves and reconnects it.
        case open(ZooKeeperHandle)
        /// ``ZooKeeperClient/close()`` was called; the handle, if any, is closed next on the queue.
        case closing(ZooKeeperHandle?, waiters: [CheckedContinuation<Void, Never>])
        /// Final.
        case closed
    }

    private var phase: Phase = .idle
    private(set) var sessionState: SessionState = .disconnected
    private(set) var sessionID: Int64?
    /// How many handles were created; a handle's ``SessionContext/generation``.
    private var generation = 0
    /// The generation of the handle being created: between `zookeeper_init2` and its install, its C
    /// client may already report (on loopback the handshake can finish before `zookeeper_init2` returns).
    private var creating: Int?
    /// That handle's session expired before it was installed: replace it as soon as it is.
    private var expiredBeforeInstall = false
    /// Credentials sent on every new handle: the configured ones, then those added with ``ZooKeeperClient/addAuth(_:)``.
    private var auths: [ZooKeeperAuth]
    private var subscribers: [Int: AsyncStream<SessionState>.Continuation] = [:]
    private var nextSubscriberID = 0

    init(auth: ZooKeeperAuth?) {
        self.auths = auth.map { [$0] } ?? []
    }

    private mutating func transition(to state: SessionState) -> Publication? {
        guard state != sessionState else { return nil }
        sessionState = state
        return Publication(state: state, subscribers: Array(subscribers.values))
    }

    // MARK: Subscribers

    /// Adds a subscriber.
    /// - Returns: Its id and the state to yield first; `nil` id means the client is closed (yield, then finish).
    mutating func subscribe(
        _ continuation: AsyncStream<SessionState>.Continuation
    ) -> (id: Int?, current: SessionState) {
        if case .closed = phase {
            return (nil, sessionState)
        }
        let id = nextSubscriberID
        nextSubscriberID += 1
        subscribers[id] = continuation
        return (id, sessionState)
    }

    mutating func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }

    // MARK: Connect and session creation

    enum ConnectAction {
        /// Publish `connecting`, then create the first handle on the queue.
        case createSession(Publication?)
        /// A handle exists or is being created: just wait for `connected`.
        case wait
        /// The client is closing or closed.
        case fail(ZooKeeperError.Code)
    }

    mutating func connectRequested() -> ConnectAction {
        switch phase {
        case .idle:
            phase = .starting
            return .createSession(transition(to: .connecting))
        case .starting, .open:
            return .wait
        case .closing, .closed:
            return .fail(.closing)
        }
    }

    enum CreateDecision {
        case create(generation: Int, auths: [ZooKeeperAuth])
        /// Closed meanwhile: create nothing.
        case skip
    }

    /// On the queue, before `zookeeper_init2`.
    mutating func sessionCreationStarting() -> CreateDecision {
        guard case .starting = phase else { return .skip }
        generation += 1
        creating = generation
        expiredBeforeInstall = false
        return .create(generation: generation, auths: auths)
    }

    enum CreatedAction {
        case none
        /// Creation failed: publish `disconnected`.
        case failed(Publication?)
        /// Nobody can own this handle (cannot happen while the queue is serial): close it.
        case close(ZooKeeperHandle)
        /// Its session expired before it was installed (`expired` is already published): end its watches
        /// and replace it on the queue.
        case replaceExpired(ZooKeeperHandle)
    }

    /// On the queue, after `zookeeper_init2`.
    mutating func sessionCreated(_ handle: ZooKeeperHandle?) -> CreatedAction {
        let expiredEarly = expiredBeforeInstall
        creating = nil
        expiredBeforeInstall = false
        switch (phase, handle) {
        case (.starting, .some(let handle)):
            phase = .open(handle)
            return expiredEarly ? .replaceExpired(handle) : .none
        case (.starting, .none):
            phase = .idle
            return .failed(transition(to: .disconnected))
        case (.closing(.none, let waiters), .some(let handle)):
            // close() ran between the decision and the install; its queued work closes this handle.
            phase = .closing(handle, waiters: waiters)
            return .none
        case (_, .some(let handle)):
            return .close(handle)
        case (_, .none):
            return .none
        }
    }

    // MARK: Session events

    enum SessionEventAction {
        case none
        case publish(Publication?)
        /// The current session expired: publish, end its watches, and replace the handle on the queue.
        case expired(Publication?, ZooKeeperHandle)
    }

    /// A session event of the handle of `generation` (on its C completion thread).
    ///
    /// The handle being created counts as current: its first `connected` can come before it is installed,
    /// and dropping it would leave the client `connecting` on a live session.
    mutating func sessionEvent(generation: Int, cState: Int32, sessionID: Int64) -> SessionEventAction {
        guard let state = SessionState(sessionEventState: cState) else { return .none }
        if case .starting = phase, creating == generation {
            switch state {
            case .connected:
                self.sessionID = sessionID
            case .expired:
                expiredBeforeInstall = true
            case .connecting, .disconnected, .authFailed, .closed:
                break
            }
            return .publish(transition(to: state))
        }
        guard case .open(let handle) = phase, handle.context.generation == generation else {
            return .none
        }
        switch state {
        case .connected:
            self.sessionID = sessionID
            return .publish(transition(to: .connected))
        case .expired:
            return .expired(transition(to: .expired), handle)
        case .connecting, .disconnected, .authFailed, .closed:
            return .publish(transition(to: state))
        }
    }

    /// On the queue: whether `handle` is still current, in which case it is replaced (phase becomes `starting`).
    mutating func replacementStarting(expired handle: ZooKeeperHandle) -> Bool {
        guard case .open(let current) = phase, current === handle else { return false }
        phase = .starting
        return true
    }

    // MARK: Requests

    enum RequestDecision {
        case submit(ZooKeeperHandle)
        case fail(ZooKeeperError.Code, detail: String?)
    }

    /// On the queue: the handle to submit a request on.
    func handleForRequest() -> RequestDecision {
        switch phase {
        case .open(let handle):
            return .submit(handle)
        case .idle:
            return .fail(.invalidState, detail: "connect() has not been called")
        case .starting:
            return .fail(.connectionLoss, detail: "no session yet")
        case .closing, .closed:
            return .fail(.closing, detail: nil)
        }
    }

    /// Remembers credentials for handles created later (after an expiry).
    mutating func authAdded(_ auth: ZooKeeperAuth) {
        if !auths.contains(auth) {
            auths.append(auth)
        }
    }

    // MARK: Close

    enum CloseAction {
        /// The first close: run the close work on the queue.
        case startClose
        /// Another close is running: wait for it.
        case waitForClose
        case alreadyClosed
    }

    mutating func closeRequested() -> CloseAction {
        switch phase {
        case .idle, .starting:
            phase = .closing(nil, waiters: [])
            return .startClose
        case .open(let handle):
            phase = .closing(handle, waiters: [])
            return .startClose
        case .closing:
            return .waitForClose
        case .closed:
            return .alreadyClosed
        }
    }

    /// Adds a waiter for the running close.
    /// - Returns: `false` if the close already finished (resume at once).
    mutating func addCloseWaiter(_ waiter: CheckedContinuation<Void, Never>) -> Bool {
        guard case .closing(let handle, var waiters) = phase else { return false }
        waiters.append(waiter)
        phase = .closing(handle, waiters: waiters)
        return true
    }

    /// On the queue: takes the handle to close.
    mutating func takeHandleForClose() -> ZooKeeperHandle? {
        guard case .closing(let handle, let waiters) = phase else { return nil }
        phase = .closing(nil, waiters: waiters)
        return handle
    }

    struct CloseFinished {
        let publication: Publication?
        let waiters: [CheckedContinuation<Void, Never>]
        let subscribers: [AsyncStream<SessionState>.Continuation]
    }

    /// On the queue, after `zookeeper_close`: publish `closed`, end every subscription, wake other closers.
    mutating func closeFinished() -> CloseFinished {
        var waiters: [CheckedContinuation<Void, Never>] = []
        if case .closing(_, let pending) = phase {
            waiters = pending
        }
        phase = .closed
        let publication = transition(to: .closed)
        let finishing = Array(subscribers.values)
        subscribers.removeAll()
        return CloseFinished(publication: publication, waiters: waiters, subscribers: finishing)
    }

    /// The client is being deinitialized without ``ZooKeeperClient/close()``.
    /// - Returns: The handle to close in the background and the subscribers to finish.
    mutating func abandon() -> (ZooKeeperHandle?, [AsyncStream<SessionState>.Continuation]) {
        var handle: ZooKeeperHandle?
        switch phase {
        case .open(let current), .closing(.some(let current), _):
            handle = current
        case .idle, .starting, .closing(.none, _), .closed:
            handle = nil
        }
        phase = .closed
        sessionState = .closed
        let finishing = Array(subscribers.values)
        subscribers.removeAll()
        return (handle, finishing)
    }
}
