/// Where a ``DuplicationObservation``'s per-partition lag came from (`pegasus-health-and-duplication.md` §3.4).
public enum DuplicationLagSource: String, Sendable, Hashable, Codable {
    /// The duplication query's `partition_states` (Pegasus 2.6/master).
    case partitionStates = "partition_states"
    /// Each primary ReplicaServer's `GET /replica/duplication?appid=N` (Pegasus 2.4/2.5).
    case replicaHTTP = "replica_http"
}
