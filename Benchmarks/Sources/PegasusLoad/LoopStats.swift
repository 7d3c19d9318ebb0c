import Histogram

/// The counters and latency histogram of every connection on one event loop.
///
/// Loop-bound: created on its loop and touched only there, so recording takes no lock.
final class LoopStats {
    /// Latency of replies in the measured window, in microseconds.
    var latency = LoopStats.makeHistogram()
    /// Counts.
    var counters = LoadCounters()
    /// Requests in flight on this loop now.
    var outstanding = 0

    /// An empty histogram of microseconds up to one minute.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    /// A copy for another thread.
    var snapshot: LoopSnapshot { LoopSnapshot(latency: latency, counters: counters, outstanding: outstanding) }
}

@available(*, unavailable)
extension LoopStats: Sendable {}

/// A copy of one loop's ``LoopStats``.
struct LoopSnapshot: Sendable {
    var latency: Histogram<UInt64>
    var counters: LoadCounters
    var outstanding: Int
}
