/// A request whose completion the C client may drop; see ``SessionContext/drainAfterClose(failing:)``.
protocol AbandonableCompletion: AnyObject, Sendable {
    /// The token of the watch sent with the request, if any. The C client never armed it (the request did not
    /// complete), so it is dropped without a call.
    var watchToken: UInt? { get }

    /// Completes the request with `code` and gives back the retain the C client held. Only called after
    /// `zookeeper_close` returned, for requests whose completion never ran.
    func abandon(code: ZooKeeperError.Code)
}

/// Which replies make the C client arm a watch passed with a request (`data_result_checker`,
/// `exists_result_checker` and `child_result_checker` in the C client's `zookeeper.c`).
enum WatchArming: Sendable {
    /// `zoo_awget`: armed on `ZOK`.
    case data
    /// `zoo_awexists`: armed on `ZOK` (a data watch) and `ZNONODE` (an exists watch).
    case exists
    /// `zoo_awget_children`: armed on `ZOK`.
    case children

    func isArmed(byReturnCode rc: Int32) -> Bool {
        switch self {
        case .data, .children: rc == 0
        case .exists: rc == 0 || rc == ZooKeeperError.Code.noNode.rawValue
        }
    }
}

/// The `data` pointer of one `zoo_a*` call: the C client holds one retain (`Unmanaged.passRetained`) that exactly
/// one party gives back — the completion trampoline (`takeRetainedValue`), the submitter if the C call failed at
/// once, or ``SessionContext/drainAfterClose(failing:)`` if the C client dropped the completion during close.
final class CompletionBox<Value: Sendable>: AbandonableCompletion {
    let operation: PendingOperation<Value>
    let context: SessionContext
    let path: String?
    /// The watch passed with the request, if any.
    let watch: (token: UInt, arming: WatchArming)?
    /// Memory the C client writes into until the completion runs (``MultiRequestBuffers``); released with the
    /// box, so never before the completion ran or the close sweep gave the retain back.
    let keepAlive: (any AnyObject & Sendable)?

    init(
        operation: PendingOperation<Value>,
        context: SessionContext,
        path: String?,
        watch: (UInt, WatchArming)?,
        keepAlive: (any AnyObject & Sendable)? = nil
    ) {
        self.operation = operation
        self.context = context
        self.path = path
        self.watch = watch
        self.keepAlive = keepAlive
    }

    /// Called by the completion trampoline after it took the C client's retain back. `result` holds copies only.
    func finish(returnCode rc: Int32, _ result: Result<Value, ZooKeeperError>) {
        context.untrack(self)
        if let watch, !watch.arming.isArmed(byReturnCode: rc) {
            context.dropWatch(watch.token)
        }
        operation.complete(result)
    }

    /// The C call failed at once, so its completion will never run: give back the retain and fail.
    /// - Parameter retained: The retain handed to the C call.
    func submissionFailed(_ error: ZooKeeperError, retained: Unmanaged<CompletionBox<Value>>) {
        context.untrack(self)
        if let watch {
            context.dropWatch(watch.token)
        }
        retained.release()
        operation.complete(.failure(error))
    }

    var watchToken: UInt? { watch?.token }

    func abandon(code: ZooKeeperError.Code) {
        Unmanaged.passUnretained(self).release()
        operation.complete(.failure(ZooKeeperError(code, path: path)))
    }
}
