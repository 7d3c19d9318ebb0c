/// Where ``HealthProber`` reads a table's duplications on the primary cluster: ``HTTPDuplicationSource``,
/// or an RPC implementation (`RPC_CM_QUERY_DUPLICATION`) injected from outside this module.
public protocol DuplicationSource: Sendable {
    /// Asks the cluster's leader for `table`'s duplications.
    /// - Parameters:
    ///   - cluster: The primary cluster name (for logs and metrics).
    ///   - metas: The cluster's MetaServers, `host:port`, the last known leader first.
    ///   - table: The table on the primary cluster.
    ///   - timeout: The timeout of each request.
    /// - Returns: The leader's report (with `partitionCount` filled in when the source can learn it;
    ///   without it every lag is unknown), or the failure.
    func queryDuplications(cluster: String, metas: [String], table: String, timeout: Duration) async
        -> DuplicationQueryOutcome
}

/// The result of a ``DuplicationSource`` query.
public enum DuplicationQueryOutcome: Sendable, Hashable {
    /// The leader answered (an empty report when the table has no duplication).
    case answered(TableDuplications)
    /// The leader answered, but something the lag needs could not be read (the partition count, or a
    /// primary ReplicaServer's lag): a probe glitch, not an answer. The report (with the reason) never
    /// replaces a complete observation; it is kept only when there is none yet.
    case incomplete(TableDuplications, String)
    /// No leader answered, or the answer was an error.
    case failed(String)
}
