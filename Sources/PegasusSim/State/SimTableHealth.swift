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
