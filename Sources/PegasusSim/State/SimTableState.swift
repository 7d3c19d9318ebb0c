/// Runtime state of one table.
struct SimTableState: Sendable {
    /// Table name.
    var name: String
    /// App id.
    var appId: Int32
    /// Partitions, by index.
    var partitions: [SimPartitionState]
    /// Duplications, in creation order.
    var duplications: [SimDuplicationState] = []
    /// App envs (`app_info.envs`), set through `RPC_CM_UPDATE_APP_ENV`.
    var envs: [String: String] = [:]
    /// Creation time in seconds (the cluster's start).
    var createSecond: Int64

    /// Every partition's last committed decree.
    var lastCommittedDecrees: [Int64] { partitions.map(\.lastCommittedDecree) }
}

/// Runtime state of one partition: which replicas serve it and how far it has committed.
struct SimPartitionState: Sendable {
    /// Configuration ballot; bumped by every change of primary.
    var ballot: Int64
    /// The replica index the partition was assigned as primary.
    var assignedPrimary: Int
    /// The current primary's replica index; `nil` = no primary.
    var primary: Int?
    /// Secondary replica indices.
    var secondaries: [Int]
    /// Last committed decree; bumped by every write.
    var lastCommittedDecree: Int64

    /// The standard layout: primary `pidx mod n`, secondaries the next (up to two) replicas.
    init(partitionIndex: Int, replicaCount: Int) {
        let primary = partitionIndex % replicaCount
        self.ballot = 1
        self.assignedPrimary = primary
        self.primary = primary
        self.secondaries = (1..<min(3, replicaCount)).map { (primary + $0) % replicaCount }
        self.lastCommittedDecree = 0
    }
}

/// A table's partition health as the MetaServer counts it (src/common/replication_common.cpp
/// `add_app_info`; docs/pegasus-reference.md §11.1).
struct SimTableHealth: Sendable {
    /// Partitions with a primary and `1 + secondaries >= max_replica_count`.
    var fullyHealthy = 0
    /// Partitions with no primary, or a primary and fewer than 2 replicas.
    var writeUnhealthy = 0
    /// Partitions with no primary.
    var readUnhealthy = 0

    /// Counts the health of `table`'s partitions.
    init(_ table: SimTableState) {
        for partition in table.partitions {
            guard partition.primary != nil else {
                writeUnhealthy += 1
                readUnhealthy += 1
                continue
            }
            let count = 1 + partition.secondaries.count
            if count >= Int(SimClusterState.maxReplicaCount) {
                fullyHealthy += 1
            } else if count < 2 {
                writeUnhealthy += 1
            }
        }
    }
}
