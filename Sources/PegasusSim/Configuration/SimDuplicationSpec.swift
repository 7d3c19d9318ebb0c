import PegasusWire

/// One duplication of a simulated table to a remote cluster, as a control call sets it.
public struct SimDuplicationSpec: Hashable, Sendable {
    /// How far the remote cluster has confirmed each partition.
    public enum Progress: Hashable, Sendable {
        /// Every partition's confirmed decree is its last committed decree minus this lag, but not
        /// below 0.
        case lag(Int64)
        /// Every partition's confirmed decree is -1: not synced yet (unknown).
        case unknown
        /// Explicit confirmed decrees, one per partition (missing partitions: -1).
        case confirmed([Int64])
    }

    /// The remote cluster's name (`duplication_entry.remote`).
    public var remote: String
    /// The duplication status. Default `DS_LOG`.
    public var status: DuplicationStatus
    /// The fail mode. Default `FAIL_SLOW`.
    public var failMode: DuplicationFailMode
    /// Confirmed progress. Default: lag 0 (fully caught up).
    public var progress: Progress
    /// The follower table's name; `nil` = the same name.
    public var remoteAppName: String?
    /// The follower table's replica count. Default 3.
    public var remoteReplicaCount: Int32

    /// Creates a duplication spec.
    public init(
        remote: String,
        status: DuplicationStatus = .log,
        failMode: DuplicationFailMode = .slow,
        progress: Progress = .lag(0),
        remoteAppName: String? = nil,
        remoteReplicaCount: Int32 = 3
    ) {
        self.remote = remote
        self.status = status
        self.failMode = failMode
        self.progress = progress
        self.remoteAppName = remoteAppName
        self.remoteReplicaCount = remoteReplicaCount
    }
}
