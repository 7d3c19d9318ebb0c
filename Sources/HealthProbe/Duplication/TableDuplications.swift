/// A table's duplications as the primary cluster's leader reports them
/// (`GET /meta/app/duplication` or `RPC_CM_QUERY_DUPLICATION`).
public struct TableDuplications: Sendable, Hashable, Codable {
    /// The table's app id; `nil` when the reply did not carry one (HTTP body `null`: no duplication).
    public var appId: Int32?
    /// The table's partition count, when the source also learned it (needed to spot missing partitions).
    public var partitionCount: Int?
    /// The duplications, in reply order. Empty when the table has none.
    public var entries: [DuplicationEntry]
    /// The primaries' own lag report, read when the entries carry no `partition_states` (v2.4/v2.5).
    public var replicaLag: ReplicaLagReport?

    /// Creates a report.
    /// - Parameters:
    ///   - appId: The table's app id.
    ///   - partitionCount: The table's partition count.
    ///   - entries: The duplications.
    ///   - replicaLag: The primary ReplicaServers' lag report.
    public init(
        appId: Int32? = nil,
        partitionCount: Int? = nil,
        entries: [DuplicationEntry] = [],
        replicaLag: ReplicaLagReport? = nil
    ) {
        self.appId = appId
        self.partitionCount = partitionCount
        self.entries = entries
        self.replicaLag = replicaLag
    }

    /// Whether some duplication lacks `partition_states`, so lag must come from the replicas.
    public var needsReplicaLag: Bool {
        self.entries.contains { $0.partitionStates == nil && $0.status != .removed }
    }
}

/// One duplication of a table (IDL `duplication_entry`).
public struct DuplicationEntry: Sendable, Hashable, Codable {
    /// `dupid` (its creation time in seconds).
    public var dupid: Int32
    /// `remote`: the backup **cluster name**.
    public var remote: String
    /// `status`.
    public var status: DuplicationStatus
    /// `fail_mode`; absent before v2.5.0.
    public var failMode: DuplicationFailMode?
    /// `remote_app_name`; master only.
    public var remoteAppName: String?
    /// `partition_states` keyed by partition index; `nil` when the server does not report them (v2.5.0 and older).
    public var partitionStates: [Int32: DuplicationPartitionState]?

    /// Creates an entry.
    /// - Parameters:
    ///   - dupid: The duplication id.
    ///   - remote: The backup cluster name.
    ///   - status: The status.
    ///   - failMode: The fail mode.
    ///   - remoteAppName: The table name on the backup.
    ///   - partitionStates: Per-partition progress.
    public init(
        dupid: Int32,
        remote: String,
        status: DuplicationStatus,
        failMode: DuplicationFailMode? = nil,
        remoteAppName: String? = nil,
        partitionStates: [Int32: DuplicationPartitionState]? = nil
    ) {
        self.dupid = dupid
        self.remote = remote
        self.status = status
        self.failMode = failMode
        self.remoteAppName = remoteAppName
        self.partitionStates = partitionStates
    }
}

/// One partition's duplication progress (IDL `duplication_partition_state`). `-1` means "not synced yet".
public struct DuplicationPartitionState: Sendable, Hashable, Codable {
    /// `confirmed_decree`: the highest decree the remote acknowledged (persisted, may lag by ~15 s).
    public var confirmedDecree: Int64
    /// `last_committed_decree`: the primary's value at its last sync.
    public var lastCommittedDecree: Int64

    /// Creates a partition state.
    /// - Parameters:
    ///   - confirmedDecree: The confirmed decree.
    ///   - lastCommittedDecree: The last committed decree.
    public init(confirmedDecree: Int64, lastCommittedDecree: Int64) {
        self.confirmedDecree = confirmedDecree
        self.lastCommittedDecree = lastCommittedDecree
    }

    /// `lastCommittedDecree - confirmedDecree`, floored at 0; `nil` when either is `-1` (unknown).
    public var lag: Int64? {
        guard self.confirmedDecree >= 0, self.lastCommittedDecree >= 0 else { return nil }
        return max(0, self.lastCommittedDecree - self.confirmedDecree)
    }
}
