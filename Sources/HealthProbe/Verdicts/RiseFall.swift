/// HAProxy-style health hysteresis: `fall` consecutive failures take the subject down, `rise`
/// consecutive successes bring it up. It starts unknown and leaves that state through the same rules,
/// so one glitchy result never flips a settled state.
///
/// Times are instants of the monotonic `ContinuousClock`, so "up/down for how long" survives wall
/// clock steps; a snapshot converts them to `Date` for display and JSON.
public struct RiseFall: Sendable, Hashable {
    /// The health state, with the time it was entered.
    public enum State: Sendable, Hashable {
        /// No verdict yet: fewer than `rise` successes or `fall` failures in a row since the start.
        case unknown
        /// Up since the given time.
        case up(since: ContinuousClock.Instant)
        /// Down since the given time.
        case down(since: ContinuousClock.Instant)

        /// The state without its time.
        public var status: HealthStatus {
            switch self {
            case .unknown: .unknown
            case .up: .up
            case .down: .down
            }
        }

        /// When the state was entered; `nil` for ``unknown``.
        public var since: ContinuousClock.Instant? {
            switch self {
            case .unknown: nil
            case .up(let since), .down(let since): since
            }
        }
    }

    /// A state change caused by one result.
    public struct Transition: Sendable, Hashable {
        /// The state left.
        public var from: State
        /// The state entered (its `since` is the time of the result).
        public var to: State

        /// Creates a transition.
        /// - Parameters:
        ///   - from: The state left.
        ///   - to: The state entered.
        public init(from: State, to: State) {
            self.from = from
            self.to = to
        }
    }

    /// Consecutive successes needed to go up (at least 1).
    public private(set) var rise: Int
    /// Consecutive failures needed to go down (at least 1).
    public private(set) var fall: Int
    /// The current state.
    public private(set) var state: State = .unknown
    /// Successes in a row, reset by a failure.
    public private(set) var consecutiveSuccesses = 0
    /// Failures in a row, reset by a success.
    public private(set) var consecutiveFailures = 0

    /// Creates a machine in state ``State/unknown``.
    /// - Parameters:
    ///   - rise: Consecutive successes to go up; values below 1 count as 1.
    ///   - fall: Consecutive failures to go down; values below 1 count as 1.
    public init(rise: Int, fall: Int) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
    }

    /// Records one probe result.
    /// - Parameters:
    ///   - success: Whether the probe succeeded.
    ///   - time: When the result was observed; it becomes the `since` of a new state.
    /// - Returns: The transition, when this result changed the state.
    public mutating func record(success: Bool, at time: ContinuousClock.Instant) -> Transition? {
        if success {
            self.consecutiveSuccesses += 1
            self.consecutiveFailures = 0
            if self.state.status != .up, self.consecutiveSuccesses >= self.rise {
                return self.move(to: .up(since: time))
            }
        } else {
            self.consecutiveFailures += 1
            self.consecutiveSuccesses = 0
            if self.state.status != .down, self.consecutiveFailures >= self.fall {
                return self.move(to: .down(since: time))
            }
        }
        return nil
    }

    /// Changes the thresholds, keeping the state and counters; the next result is judged by the new thresholds.
    /// - Parameters:
    ///   - rise: Consecutive successes to go up; values below 1 count as 1.
    ///   - fall: Consecutive failures to go down; values below 1 count as 1.
    public mutating func updateThresholds(rise: Int, fall: Int) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
    }

    private mutating func move(to next: State) -> Transition {
        let transition = Transition(from: self.state, to: next)
        self.state = next
        return transition
    }
}
