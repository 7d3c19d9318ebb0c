/// The health of a MetaServer or cluster, without its timestamp (the flat form used in snapshots and metrics).
public enum HealthStatus: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Not enough probe results yet.
    case unknown
    /// Healthy.
    case up
    /// Unhealthy.
    case down

    /// `unknown`, `up` or `down`.
    public var description: String { self.rawValue }
}
