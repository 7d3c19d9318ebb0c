/// A cluster's health in one probe round, with the rule that decided it.
public struct ClusterVerdict: Sendable, Hashable, Codable {
    /// The deciding rule.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// Every rule passed.
        case healthy
        /// No MetaServer answered `/version` within the timeout.
        case noMetaAnswered
        /// MetaServers answered but none named a leader that parses.
        case leaderUnknown
        /// A leader was named, but it did not answer (over HTTP or RPC).
        case leaderNotAnswering
        /// The RPC probe only got `ERR_FORWARD_TO_OTHERS`.
        case rpcForwardOnly
        /// The RPC probe failed.
        case rpcError
        /// The RPC probe's table has partitions without a primary.
        case partitionsWithoutPrimary
        /// Healthy: the leader answered, but about the RPC probe's table with a table-level error
        /// (dropped, being created or dropped). A table problem, not a cluster one; the detail names
        /// the error code.
        case probeTableUnavailable
    }

    /// Whether the round counts as a success for the cluster's rise/fall state.
    public var healthy: Bool
    /// The deciding rule.
    public var reason: Reason
    /// Extra context (an error message, a partition count).
    public var detail: String?

    /// Creates a verdict.
    /// - Parameters:
    ///   - healthy: Whether the round succeeded.
    ///   - reason: The deciding rule.
    ///   - detail: Extra context.
    public init(healthy: Bool, reason: Reason, detail: String? = nil) {
        self.healthy = healthy
        self.reason = reason
        self.detail = detail
    }
}
