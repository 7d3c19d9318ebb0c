import Foundation

/// What the health prober says about one cluster, as a decision input.
public struct ClusterHealth: Hashable, Sendable {
    /// The cluster's state after the prober's rise/fall counting.
    public enum State: String, Hashable, Sendable {
        /// `probe.rise` good probes in a row.
        case up
        /// `probe.fall` failed probes in a row.
        case down
        /// Not probed enough yet, or the prober gave no verdict. Never treated as up or down.
        case unknown
    }

    /// The current state.
    public var state: State
    /// When the cluster entered ``state`` (the moment rise/fall flipped it).
    public var since: Date
    /// How many state changes happened within the prober's recent window. Informational:
    /// the built-in kinds rely on `min_down`, `cooldown` and `after_healthy` instead, which
    /// bound the switches of a flapping cluster; custom kinds may use it.
    public var recentTransitions: Int

    /// Creates a health view.
    public init(state: State, since: Date, recentTransitions: Int = 0) {
        self.state = state
        self.since = since
        self.recentTransitions = recentTransitions
    }
}
