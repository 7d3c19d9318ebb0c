import CZooKeeper

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The owner of one `zhandle_t` (one ZooKeeper session) and of its ``SessionContext``.
///
/// `@unchecked Sendable` because it holds the raw handle pointer. Sharing it across threads is sound because
/// (1) the multi-threaded C library (`zookeeper_mt`, built with `THREADED`) guards every `zoo_a*` call with the
/// handle's own locks (`enter_critical`, the completion list locks) and runs its I/O and completion threads
/// against the same handle, so the handle is designed for use from several threads; and (2) ``ZooKeeperClient``
/// calls `zoo_a*`, `zoo_add_auth` and ``close(failing:)`` only from its one serial lifecycle queue, so no request
/// can be submitted concurrently with, or after, `zookeeper_close`. The C threads only touch the handle inside
/// callbacks, which all end before `zookeeper_close` returns (it joins them).
final class ZooKeeperHandle: @unchecked Sendable {
    /// The `zhandle_t *`. Valid until ``close(failing:)``.
    let pointer: OpaquePointer
    /// Callback state; outlives the handle.
    let context: SessionContext

    private init(pointer: OpaquePointer, context: SessionContext) {
        self.pointer = pointer
        self.context = context
    }

    /// Creates a handle; the C client starts connecting in the background. Call on the lifecycle queue (it may
    /// resolve host names).
    /// - Parameters:
    ///   - configuration: Hosts and session timeout.
    ///   - context: The context the C callbacks of this handle reach.
    ///   - auths: Credentials the C client sends as soon as it connects (and again after each reconnection).
    static func open(
        configuration: ZooKeeperConfiguration,
        context: SessionContext,
        auths: [ZooKeeperAuth]
    ) -> Result<ZooKeeperHandle, ZooKeeperError> {
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let pointer = configuration.connectString.withCString { hosts in
            zookeeper_init2(
                hosts,
                zooKeeperSessionWatcher,
                configuration.sessionTimeoutMilliseconds,
                nil,
                contextPointer,
                ZOO_NO_LOG_CLIENTENV,
                zooKeeperLogCallback
            )
        }
        guard let pointer else {
            let code = errno
            return .failure(
                ZooKeeperError(
                    .badArguments,
                    detail: "zookeeper_init2 failed for hosts \(configuration.connectString), errno \(code)"
                )
            )
        }
        let handle = ZooKeeperHandle(pointer: pointer, context: context)
        for auth in auths {
            // No completion: the C client keeps the credentials and resends them on every reconnection; a
            // rejection shows as the session state authFailed.
            let rc = handle.addAuth(auth, completion: nil, data: nil)
            if rc != ZOK.rawValue {
                handle.close(failing: .closing)
                return .failure(ZooKeeperError(cCode: rc, path: nil, detail: "zoo_add_auth \(auth.scheme) failed"))
            }
        }
        return .success(handle)
    }

    /// `zoo_amulti` on `pointer`, unless its session is already unrecoverable (expired or its
    /// credentials rejected): then `ZINVALIDSTATE` without the call, as the C client would answer.
    ///
    /// The C client's `zoo_amulti` (3.8, unchanged since) checks each operation's path in a loop and
    /// keeps going after the first failure without initialising the later operations' requests; it
    /// then frees their uninitialised path pointers. Every operation fails that check once the session
    /// is unrecoverable, so a transaction of two or more operations sent in that state frees garbage
    /// (seen as `free(): double free detected` and SIGABRT after a decider's session expired). A
    /// request with a path the check rejects does the same, which ``ZooKeeperPath/isValid(_:sequential:)``
    /// rules out before the call. What remains is the session expiring during the call itself (a few
    /// microseconds).
    static func multi(
        _ pointer: OpaquePointer,
        count: Int32,
        ops: UnsafePointer<zoo_op_t>,
        results: UnsafeMutablePointer<zoo_op_result_t>,
        completion: void_completion_t,
        data: UnsafeRawPointer
    ) -> Int32 {
        guard zoo_state(pointer) >= 0 else { return ZINVALIDSTATE.rawValue }
        return zoo_amulti(pointer, count, ops, results, completion, data)
    }

    /// Calls `zoo_add_auth`.
    func addAuth(_ auth: ZooKeeperAuth, completion: void_completion_t?, data: UnsafeRawPointer?) -> Int32 {
        auth.scheme.withCString { scheme in
            auth.credential.withUnsafeBytes { bytes in
                zoo_add_auth(
                    pointer,
                    scheme,
                    bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                    Int32(clamping: bytes.count),
                    completion,
                    data
                )
            }
        }
    }

    /// The error for a `zoo_a*` call that failed at once with `rc`, naming the session's state for
    /// `ZINVALIDSTATE` (which the C client returns for expired, auth-failed and between-connections handles).
    func submissionError(returnCode rc: Int32, path: String?) -> ZooKeeperError {
        guard rc == ZINVALIDSTATE.rawValue else {
            return ZooKeeperError(cCode: rc, path: path)
        }
        switch zoo_state(pointer) {
        case ZOO_EXPIRED_SESSION_STATE:
            return ZooKeeperError(.sessionExpired, path: path)
        case ZOO_AUTH_FAILED_STATE:
            return ZooKeeperError(.authFailed, path: path)
        case 0:
            return ZooKeeperError(.connectionLoss, path: path)
        default:
            return ZooKeeperError(.invalidState, path: path)
        }
    }

    /// Closes the handle with `zookeeper_close`, which blocks (it may wait up to a few seconds for the server to
    /// acknowledge the end of the session, and joins the C threads): call it on the lifecycle queue, never on the
    /// cooperative pool. Afterwards completes every request and watch the C client did not.
    /// - Parameter code: The error for requests the C client dropped.
    /// - Returns: How many requests the C client had dropped.
    @discardableResult
    func close(failing code: ZooKeeperError.Code) -> Int {
        zookeeper_close(pointer)
        return context.drainAfterClose(failing: code)
    }
}
