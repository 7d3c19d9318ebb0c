import NIOConcurrencyHelpers

/// The result of one asynchronous request, awaited by one task.
///
/// A three-state promise (initial → waiting → done, or initial → done when the result comes first) so the C
/// completion, the close sweep and task cancellation can race: whichever completes it first wins, later
/// completions are ignored, and the continuation is resumed exactly once, outside the lock.
final class PendingOperation<Value: Sendable>: Sendable {
    private enum State {
        /// Nobody waits yet and no result has arrived.
        case initial
        /// A task waits.
        case waiting(CheckedContinuation<Result<Value, ZooKeeperError>, Never>)
        /// The result arrived before anybody waited.
        case completed(Result<Value, ZooKeeperError>)
        /// The result was handed to the waiter.
        case delivered
    }

    private let state = NIOLockedValueBox<State>(.initial)

    init() {}

    /// Whether a result (or a cancellation) has arrived; used to skip submitting requests nobody awaits.
    var isCompleted: Bool {
        state.withLockedValue { state in
            switch state {
            case .initial, .waiting: false
            case .completed, .delivered: true
            }
        }
    }

    /// Completes the operation. Only the first call has an effect.
    func complete(_ result: Result<Value, ZooKeeperError>) {
        let continuation = state.withLockedValue {
            state -> CheckedContinuation<Result<Value, ZooKeeperError>, Never>? in
            switch state {
            case .initial:
                state = .completed(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .completed, .delivered:
                return nil
            }
        }
        continuation?.resume(returning: result)
    }

    /// Waits for the result. Cancelling the task completes the operation with ``ZooKeeperError/Code/cancelled``.
    /// - Parameter path: The path named in the cancellation error.
    func result(path: String?) async -> Result<Value, ZooKeeperError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLockedValue { state -> Result<Value, ZooKeeperError>? in
                    switch state {
                    case .initial:
                        state = .waiting(continuation)
                        return nil
                    case .completed(let result):
                        state = .delivered
                        return result
                    case .waiting, .delivered:
                        // A second waiter is a programming error inside this module; answer it rather than trap.
                        return .failure(ZooKeeperError(.invalidState, path: path, detail: "operation awaited twice"))
                    }
                }
                if let ready {
                    continuation.resume(returning: ready)
                }
            }
        } onCancel: {
            self.complete(.failure(ZooKeeperError(.cancelled, path: path)))
        }
    }
}
