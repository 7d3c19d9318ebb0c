import Synchronization
import UnixSignals

/// A request to stop a long operator action (a planned switchover) at its next safe point, set by
/// SIGINT or SIGTERM while the action runs.
public final class OperatorStopRequest: Sendable {
    private let reason = Mutex<String?>(nil)

    private init() {}

    /// `interrupted by SIGINT` (or SIGTERM) once a signal arrived; `nil` before.
    public var requested: String? {
        reason.withLock { $0 }
    }

    /// Runs `body` with SIGINT and SIGTERM trapped: the first signal sets ``requested`` (the action
    /// stops at its next safe point instead of dying mid-step) and calls `onSignal` with its name.
    public static func trappingSignals<T>(
        onSignal: @escaping @Sendable (String) -> Void,
        _ body: (OperatorStopRequest) async throws -> T
    ) async throws -> T {
        let stop = OperatorStopRequest()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let watcher = Task {
            for await signal in signals {
                let name = signal == .sigint ? "SIGINT" : "SIGTERM"
                let first = stop.reason.withLock { reason -> Bool in
                    guard reason == nil else { return false }
                    reason = "interrupted by \(name)"
                    return true
                }
                if first {
                    onSignal(name)
                }
            }
        }
        defer { watcher.cancel() }
        return try await body(stop)
    }
}
