/// Folds repeated log lines: the first line of a shape is logged, later lines of the same shape within
/// `interval` are only counted, and the first line after the interval is logged with the count
/// ("repeated 153 times in 10 s"). So a shape produces at most one line per interval, however fast
/// it repeats.
///
/// A value: the caller holds it (under a lock when shared) and passes the time, so tests drive it with
/// a manual clock. Memory is bounded by `maximumShapes`.
public struct RepeatedLogLimiter<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration, Instant: Sendable {
    /// What to do with one line.
    public enum Decision: Sendable, Equatable {
        /// Log it.
        case log
        /// Log it, saying that `count` lines of its shape were left out over `duration` before it.
        case logWithSummary(count: Int, duration: Duration)
        /// Leave it out (counted).
        case suppress
    }

    private struct Entry: Sendable {
        var windowStart: Instant
        var suppressed: Int
    }

    /// How long a shape stays folded after it was logged.
    public let interval: Duration
    /// How many shapes are remembered; past it, shapes whose interval ended are forgotten, and if none
    /// did, every shape is.
    public let maximumShapes: Int
    private var entries: [String: Entry] = [:]

    /// A limiter logging each shape at most once per `interval`.
    public init(interval: Duration = .seconds(10), maximumShapes: Int = 256) {
        self.interval = interval
        self.maximumShapes = max(1, maximumShapes)
    }

    /// Decides about one line of `shape` seen at `now`.
    public mutating func admit(_ shape: String, at now: Instant) -> Decision {
        if var entry = entries[shape] {
            if entry.windowStart.duration(to: now) < interval {
                entry.suppressed += 1
                entries[shape] = entry
                return .suppress
            }
            entries[shape] = Entry(windowStart: now, suppressed: 0)
            return entry.suppressed == 0
                ? .log : .logWithSummary(count: entry.suppressed, duration: entry.windowStart.duration(to: now))
        }
        if entries.count >= maximumShapes {
            entries = entries.filter { $0.value.windowStart.duration(to: now) < interval }
            if entries.count >= maximumShapes { entries.removeAll(keepingCapacity: true) }
        }
        entries[shape] = Entry(windowStart: now, suppressed: 0)
        return .log
    }

    /// How many shapes are remembered.
    public var shapeCount: Int { entries.count }
}
