import PegasusWire

/// A table's duplications as the primary cluster's leader reports them
/// (`GET /meta/app/duplication` or `RPC_CM_QUERY_DUPLICATION`).
public struct TableDuplications: Sendable, Hashable {
    /// The table's app id; `nil` when the reply did not carry one (HTTP body `null`: no duplication).
    public var appId: Int32?
    /// The table's partition count, when the source also learned it (needed to spot missing partitions).
    public var partitionCount: Int?
    /// The duplications, in reply order (PegasusWire's `duplication_entry`; the HTTP source fills the
    /// fields its JSON carries). Empty when the table has none.
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
