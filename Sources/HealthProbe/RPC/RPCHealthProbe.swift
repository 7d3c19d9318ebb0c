/// A health probe over the MetaServer RPC port (`RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`), implemented
/// outside this module with the wire codec and injected into ``HealthProber``.
///
/// An implementation follows `ERR_FORWARD_TO_OTHERS` to the leader itself (never looping) and must
/// return within about `timeout` per MetaServer tried.
public protocol RPCHealthProbe: Sendable {
    /// Asks the cluster's leader for `table`'s partition configuration.
    /// - Parameters:
    ///   - cluster: The cluster name (for logs and metrics).
    ///   - metas: The cluster's MetaServers, `host:port`, the last known leader first.
    ///   - table: The table to query.
    ///   - timeout: The timeout of each request.
    /// - Returns: What the leader said, ``RPCProbeOutcome/forwardOnly`` when no leader answered, or an error.
    func queryConfig(cluster: String, metas: [String], table: String, timeout: Duration) async -> RPCProbeOutcome
}

/// The result of an ``RPCHealthProbe`` query.
public enum RPCProbeOutcome: Sendable, Hashable, Codable {
    /// The leader answered `ERR_OK` for the table.
    /// - Parameters:
    ///   - partitionCount: The table's partition count.
    ///   - partitionsWithoutPrimary: Partitions with no primary (read- and write-unavailable);
    ///     children of a split in progress (`ballot < 0`) are not counted.
    ///   - appId: The table's app id.
    case leaderAnswered(partitionCount: Int, partitionsWithoutPrimary: Int, appId: Int32)
    /// MetaServers answered, but only with `ERR_FORWARD_TO_OTHERS` (no leader reached).
    case forwardOnly
    /// Anything else: transport failure, timeout, or an error code such as `ERR_OBJECT_NOT_FOUND`.
    case error(String)
}
