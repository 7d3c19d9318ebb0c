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

    /// Asks the cluster's leader for its list of available tables (`RPC_CM_LIST_APPS`): a
    /// cluster-level signal (the leader answers whatever state any one table is in) that also carries
    /// every table's app envs, so one request per round tells which tables deny client requests.
    /// - Parameters:
    ///   - cluster: The cluster name.
    ///   - metas: The cluster's MetaServers, `host:port`, the last known leader first.
    ///   - timeout: The timeout of each request.
    /// - Returns: The outcome; `nil` when the implementation does not list tables.
    func listApps(cluster: String, metas: [String], timeout: Duration) async -> AppListOutcome?
}

extension RPCHealthProbe {
    /// Lists nothing: probes written before ``listApps(cluster:metas:timeout:)`` existed.
    public func listApps(cluster: String, metas: [String], timeout: Duration) async -> AppListOutcome? {
        nil
    }
}

/// The result of an ``RPCHealthProbe/listApps(cluster:metas:timeout:)`` query.
public enum AppListOutcome: Sendable, Hashable, Codable {
    /// The leader answered `ERR_OK`.
    /// - Parameters:
    ///   - tableCount: The available tables listed.
    ///   - denials: Table → its `replica.deny_client_request` value, for the tables that set one
    ///     (docs/pegasus-reference.md: app env `replica.deny_client_request`).
    case listed(tableCount: Int, denials: [String: String])
    /// MetaServers answered, but only with `ERR_FORWARD_TO_OTHERS`.
    case forwardOnly
    /// Anything else: transport failure, timeout, an error code.
    case error(String)
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
    /// The leader answered, with an error about the probed table itself (`ERR_OBJECT_NOT_FOUND`,
    /// `ERR_BUSY_CREATING`, `ERR_BUSY_DROPPING`, `ERR_APP_NOT_EXIST`, `ERR_APP_DROPPED`): a table
    /// problem, not a cluster one. The leader was reached. The error code name.
    case tableUnavailable(String)
    /// MetaServers answered, but only with `ERR_FORWARD_TO_OTHERS` (no leader reached).
    case forwardOnly
    /// Anything else: transport failure, timeout, or an error code that is not about the table.
    case error(String)

    /// The error codes a leader answers about one table's own state (dropped, being created or
    /// dropped, not existing): ``tableUnavailable(_:)`` rather than ``error(_:)``.
    public static let tableErrorCodes: Set<String> = [
        "ERR_OBJECT_NOT_FOUND", "ERR_BUSY_CREATING", "ERR_BUSY_DROPPING", "ERR_APP_NOT_EXIST", "ERR_APP_DROPPED",
    ]
}
