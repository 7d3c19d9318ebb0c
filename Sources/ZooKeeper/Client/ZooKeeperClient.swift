import CZooKeeper
import Dispatch
import Logging
import NIOConcurrencyHelpers

/// An async/await client of a ZooKeeper ensemble over Apache's multi-threaded C client (`zookeeper_mt`).
///
/// The C client runs its own I/O and completion threads; this type hides them. Requests use the asynchronous
/// `zoo_a*` calls and resume the awaiting task from the C completion, and watches are one-shot callbacks (see
/// ``WatchEvent``). Handle creation, request submission and the blocking `zookeeper_close` run on one serial
/// dispatch queue owned by the client, never on the cooperative thread pool.
///
/// **Session expiry.** When the server expires the session, the client publishes ``SessionState/expired``, ends
/// every watch of the old session with a `session` event in state ``SessionState/expired``, fails its pending
/// requests with ``ZooKeeperError/Code/sessionExpired``, and creates a new handle (with the same credentials) by
/// itself; ``SessionState/connected`` follows on the new session. Ephemeral nodes and watches of the old session
/// are gone: callers re-read, re-create and re-watch after seeing `expired`.
///
/// Call ``connect()`` before requests and ``close()`` when done.
public final class ZooKeeperClient: Sendable {
    /// Hosts, timeouts, credentials and the default ACL, as given.
    public let configuration: ZooKeeperConfiguration
    private let logger: Logger
    private let state: NIOLockedValueBox<ClientStateMachine>
    /// Serial: handle creation, `zoo_a*` submission and `zookeeper_close`.
    private let queue: DispatchQueue

    /// Creates a client; nothing connects until ``connect()``.
    /// - Parameters:
    ///   - configuration: Hosts, timeouts, credentials and the default ACL.
    ///   - logger: Receives this client's events. The first client of the process also receives the C client's
    ///     own log lines, and its level sets the C client's (process-wide) log level.
    public init(configuration: ZooKeeperConfiguration, logger: Logger) {
        var logger = logger
        logger[metadataKey: ZooKeeperLoggingKeys.hosts] = "\(configuration.connectString)"
        self.configuration = configuration
        self.logger = logger
        self.state = NIOLockedValueBox(ClientStateMachine(auth: configuration.auth))
        self.queue = DispatchQueue(label: "ZooKeeperClient.lifecycle")
        ZooKeeperLogSink.shared.installIfUnset(logger)
    }

    deinit {
        let (handle, subscribers) = state.withLockedValue { $0.abandon() }
        subscribers.forEach { $0.finish() }
        if let handle {
            logger.warning("ZooKeeperClient deinitialized without close(); closing its session in the background")
            queue.async {
                handle.close(failing: .closing)
            }
        }
    }

    /// The current session state.
    public var sessionState: SessionState {
        state.withLockedValue { $0.sessionState }
    }

    /// How many one-shot watches the current session has registered and not yet delivered (each
    /// holds a callback until its node changes or the session ends). 0 without a session.
    public var registeredWatchCount: Int {
        guard case .submit(let handle) = state.withLockedValue({ $0.handleForRequest() }) else { return 0 }
        return handle.context.watchCount
    }

    /// The id of the last connected session, or `nil` before the first connection. Changes when an expired session
    /// is replaced.
    public var sessionID: Int64? {
        state.withLockedValue { $0.sessionID }
    }

    /// The session states: the current one first, then each change, finishing after ``SessionState/closed``.
    /// Any number of subscribers may iterate independently.
    public func sessionStates() -> ZooKeeperSessionStates {
        let (stream, continuation) = AsyncStream.makeStream(
            of: SessionState.self,
            bufferingPolicy: .bufferingNewest(64)
        )
        let (id, current) = state.withLockedValue { $0.subscribe(continuation) }
        continuation.yield(current)
        guard let id else {
            continuation.finish()
            return ZooKeeperSessionStates(stream: stream)
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { $0.unsubscribe(id) }
        }
        return ZooKeeperSessionStates(stream: stream)
    }

    /// Starts the session (the first call) and waits until it is connected.
    ///
    /// If the servers cannot be reached within ``ZooKeeperConfiguration/connectTimeout`` this throws, but the C
    /// client keeps trying in the background: a later `connect()` waits again, and ``close()`` stops it.
    /// - Throws: ``ZooKeeperError/Code/operationTimeout`` after the connect timeout,
    ///   ``ZooKeeperError/Code/authFailed``, ``ZooKeeperError/Code/closing`` if the client is closed,
    ///   ``ZooKeeperError/Code/badArguments`` if the C client rejects the host list,
    ///   ``ZooKeeperError/Code/cancelled`` if the task is cancelled.
    public func connect() async throws(ZooKeeperError) {
        let deadline = ContinuousClock.now.advanced(by: configuration.connectTimeout)
        // Subscribe first so that `connected` cannot slip by between the decision and the wait.
        let states = sessionStates()
        switch state.withLockedValue({ $0.connectRequested() }) {
        case .createSession(let publication):
            publication?.run()
            let created = await withCheckedContinuation { continuation in
                queue.async {
                    continuation.resume(returning: self.createSession())
                }
            }
            try created.get()
        case .wait:
            break
        case .fail(let code):
            throw ZooKeeperError(code)
        }
        try await waitUntilConnected(states, deadline: deadline)
    }

    private enum ConnectOutcome: Sendable {
        case connected
        case failed(ZooKeeperError)
        case timedOut
    }

    private func waitUntilConnected(
        _ states: ZooKeeperSessionStates,
        deadline: ContinuousClock.Instant
    ) async throws(ZooKeeperError) {
        let outcome = await withTaskGroup(of: ConnectOutcome.self) { group in
            group.addTask {
                for await state in states {
                    switch state {
                    case .connected: return .connected
                    case .authFailed: return .failed(ZooKeeperError(.authFailed))
                    case .closed: return .failed(ZooKeeperError(.closing))
                    case .connecting, .disconnected, .expired: continue
                    }
                }
                return .failed(ZooKeeperError(Task.isCancelled ? .cancelled : .closing))
            }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return .timedOut
                } catch {
                    return .failed(ZooKeeperError(.cancelled))
                }
            }
            let first = await group.next() ?? .failed(ZooKeeperError(.cancelled))
            group.cancelAll()
            return first
        }
        switch outcome {
        case .connected:
            return
        case .failed(let error):
            throw error
        case .timedOut:
            throw ZooKeeperError(
                .operationTimeout,
                detail: "no session with \(configuration.connectString) within \(configuration.connectTimeout)"
            )
        }
    }

    /// Creates a handle if the state machine still wants one. On the queue.
    private func createSession() -> Result<Void, ZooKeeperError> {
        guard case .create(let generation, let auths) = state.withLockedValue({ $0.sessionCreationStarting() }) else {
            return .failure(ZooKeeperError(.closing))
        }
        let context = SessionContext(generation: generation) { [weak self] context, cState, sessionID in
            self?.sessionEvent(context: context, cState: cState, sessionID: sessionID)
        }
        let opened = ZooKeeperHandle.open(configuration: configuration, context: context, auths: auths)
        let handle = try? opened.get()
        switch state.withLockedValue({ $0.sessionCreated(handle) }) {
        case .none:
            logger.debug(
                "ZooKeeper handle created",
                metadata: [ZooKeeperLoggingKeys.sessionGeneration: "\(generation)"]
            )
        case .failed(let publication):
            if case .failure(let error) = opened {
                logger.error("ZooKeeper handle creation failed", metadata: ["error": "\(error)"])
            }
            publication?.run()
        case .close(let orphan):
            orphan.close(failing: .closing)
        case .replaceExpired(let handle):
            handle.context.expire()
            queue.async {
                self.replace(expired: handle)
            }
        }
        return opened.map { _ in () }
    }

    /// A session event of one of our handles, on its C completion thread.
    private func sessionEvent(context: SessionContext, cState: Int32, sessionID: Int64) {
        let action = state.withLockedValue {
            $0.sessionEvent(generation: context.generation, cState: cState, sessionID: sessionID)
        }
        switch action {
        case .none:
            return
        case .publish(let publication):
            guard let publication else { return }
            log(publication.state, sessionID: sessionID)
            publication.run()
        case .expired(let publication, let handle):
            log(.expired, sessionID: sessionID)
            publication?.run()
            context.expire()
            // Not here: zookeeper_close joins this very thread.
            queue.async {
                self.replace(expired: handle)
            }
        }
    }

    private func log(_ sessionState: SessionState, sessionID: Int64) {
        logger.info(
            "ZooKeeper session state changed",
            metadata: [
                ZooKeeperLoggingKeys.sessionState: "\(sessionState)",
                ZooKeeperLoggingKeys.sessionID: "\(String(UInt64(bitPattern: sessionID), radix: 16))",
            ]
        )
    }

    /// Closes an expired handle and creates its successor. On the queue.
    private func replace(expired handle: ZooKeeperHandle) {
        guard state.withLockedValue({ $0.replacementStarting(expired: handle) }) else { return }
        handle.close(failing: .sessionExpired)
        _ = createSession()
    }

    /// Closes the session and releases the C client. Pending requests fail with ``ZooKeeperError/Code/closing``,
    /// pending watches get a final `session` event in state ``SessionState/closed``, and the session states finish
    /// after ``SessionState/closed``. The work happens once; concurrent and later calls wait for it.
    public func close() async {
        switch state.withLockedValue({ $0.closeRequested() }) {
        case .alreadyClosed:
            return
        case .waitForClose:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if !state.withLockedValue({ $0.addCloseWaiter(continuation) }) {
                    continuation.resume()
                }
            }
        case .startClose:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                queue.async {
                    self.finishClose()
                    continuation.resume()
                }
            }
        }
    }

    /// On the queue.
    private func finishClose() {
        if let handle = state.withLockedValue({ $0.takeHandleForClose() }) {
            let dropped = handle.close(failing: .closing)
            logger.debug(
                "ZooKeeper requests completed after close",
                metadata: [ZooKeeperLoggingKeys.droppedRequests: "\(dropped)"]
            )
        }
        let finished = state.withLockedValue { $0.closeFinished() }
        logger.info("ZooKeeper client closed")
        finished.publication?.run()
        finished.subscribers.forEach { $0.finish() }
        finished.waiters.forEach { $0.resume() }
    }

    // MARK: Request plumbing

    /// Submits one `zoo_a*` request on the queue and awaits its completion.
    /// - Parameters:
    ///   - path: The request's path, for errors and watch events.
    ///   - watch: The one-shot watch to register with it, if any.
    ///   - arming: Which replies arm the watch.
    ///   - keepAlive: Memory the C client writes into until the completion runs; the completion box owns it.
    ///   - call: Calls the C function with the handle, the watcher context (or `nil`) and the completion data.
    func perform<Value: Sendable>(
        path: String?,
        watch: (@Sendable (WatchEvent) -> Void)? = nil,
        arming: WatchArming = .data,
        keepAlive: (any AnyObject & Sendable)? = nil,
        _ call: @escaping @Sendable (OpaquePointer, UnsafeMutableRawPointer?, UnsafeRawPointer) -> Int32
    ) async throws(ZooKeeperError) -> Value {
        let operation = PendingOperation<Value>()
        queue.async {
            self.submit(operation, path: path, watch: watch, arming: arming, keepAlive: keepAlive, call)
        }
        return try await operation.result(path: path).get()
    }

    /// On the queue.
    private func submit<Value: Sendable>(
        _ operation: PendingOperation<Value>,
        path: String?,
        watch: (@Sendable (WatchEvent) -> Void)?,
        arming: WatchArming,
        keepAlive: (any AnyObject & Sendable)?,
        _ call: @Sendable (OpaquePointer, UnsafeMutableRawPointer?, UnsafeRawPointer) -> Int32
    ) {
        // Cancelled before it was sent: send nothing.
        guard !operation.isCompleted else { return }
        let handle: ZooKeeperHandle
        switch state.withLockedValue({ $0.handleForRequest() }) {
        case .submit(let current):
            handle = current
        case .fail(let code, let detail):
            operation.complete(.failure(ZooKeeperError(code, path: path, detail: detail)))
            return
        }
        let token = watch.map { handle.context.registerWatch(path: path ?? "", callback: $0) }
        let box = CompletionBox(
            operation: operation,
            context: handle.context,
            path: path,
            watch: token.map { ($0, arming) },
            keepAlive: keepAlive
        )
        handle.context.track(box)
        let retained = Unmanaged.passRetained(box)
        let rc = call(handle.pointer, token.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }, retained.toOpaque())
        guard rc != ZOK.rawValue else { return }
        let error = handle.submissionError(returnCode: rc, path: path)
        if rc == ZMARSHALLINGERROR.rawValue {
            // The C client may or may not have queued the completion (it can fail after `add_completion`): leave
            // the retain to the completion or to the close sweep, and fail the caller now.
            operation.complete(.failure(error))
        } else {
            box.submissionFailed(error, retained: retained)
        }
    }

    /// Records credentials for sessions created after an expiry.
    func rememberAuth(_ auth: ZooKeeperAuth) {
        state.withLockedValue { $0.authAdded(auth) }
    }
}
