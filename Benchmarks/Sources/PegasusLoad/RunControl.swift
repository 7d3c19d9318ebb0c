import Synchronization

/// The phase of a run and its request budget, shared by every connection.
final class RunControl: Sendable {
    /// Where a run is.
    enum Phase: Int {
        /// Replies are checked but not measured.
        case warmup = 0
        /// Replies are checked and measured.
        case measure = 1
        /// No new request is sent.
        case stop = 2
    }

    private let phaseValue = Atomic<Int>(Phase.warmup.rawValue)
    private let budget: Atomic<Int>
    private let limited: Bool

    /// - Parameter requests: how many requests the run may send in all; `nil` = until stopped.
    init(requests: Int?) {
        limited = requests != nil
        budget = Atomic(requests ?? 0)
    }

    /// The phase now.
    var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .stop }

    /// Moves to `phase`.
    func enter(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .relaxed) }

    /// Whether one more request may be sent (and takes it from the budget).
    func takeRequest() -> Bool {
        guard phase != .stop else { return false }
        guard limited else { return true }
        return budget.subtract(1, ordering: .relaxed).newValue >= 0
    }
}
