import PegasusWire

/// A table's duplication lag as its primary ReplicaServers report it over
/// `GET /replica/duplication?appid=N` (docs/pegasus-reference.md §12.4): the v2.4/v2.5 source
/// of per-partition lag, whose duplication query carries no `partition_states`.
///
/// A partition's lag is `not_confirmed_mutations_num` (live `last_committed_decree − confirmed_decree`)
/// for its gpid, taken only from the replica that query_config named as that partition's primary. A
/// partition without a primary, whose primary did not answer, or whose primary has no entry for the
/// gpid has no value: its lag is unknown.
public struct ReplicaLagReport: Sendable, Hashable, Codable {
    /// A ReplicaServer that did not answer `GET /replica/duplication`.
    public struct Failure: Sendable, Hashable, Codable {
        /// The replica's `host:port`.
        public var replica: String
        /// The error.
        public var error: String

        /// Creates a failure.
        /// - Parameters:
        ///   - replica: The replica's `host:port`.
        ///   - error: The error.
        public init(replica: String, error: String) {
            self.replica = replica
            self.error = error
        }
    }

    /// Partition index → its primary's `host:port`, from query_config; partitions without a primary are absent.
    public var primaries: [Int32: String]
    /// dupid → partition index → `not_confirmed_mutations_num` as the partition's primary reported it.
    public var lags: [Int32: [Int32: Int64]]
    /// The replicas asked that answered, ascending.
    public var answeredReplicas: [String]
    /// The replicas asked that did not answer, with the error, ascending by address.
    public var failedReplicas: [Failure]

    /// Combines the replicas' answers into per-partition lags.
    /// - Parameters:
    ///   - appId: The table's app id (gpids of other apps are ignored).
    ///   - primaries: Partition index → primary `host:port`.
    ///   - answers: Replica `host:port` → its reply (dupid → gpid → state); a 404 is an empty reply.
    ///   - failures: Replica `host:port` → why it did not answer.
    public init(
        appId: Int32,
        primaries: [Int32: String],
        answers: [String: [Int32: [Gpid: ReplicaDuplicationState]]],
        failures: [String: String] = [:]
    ) {
        self.primaries = primaries
        self.answeredReplicas = answers.keys.sorted()
        self.failedReplicas = failures.sorted { $0.key < $1.key }.map {
            Failure(replica: $0.key, error: $0.value)
        }
        var lags: [Int32: [Int32: Int64]] = [:]
        for (partition, replica) in primaries {
            guard let answer = answers[replica] else { continue }
            let gpid = Gpid(appId: appId, partitionIndex: partition)
            for (dupid, states) in answer {
                if let state = states[gpid] {
                    lags[dupid, default: [:]][partition] = state.notConfirmedMutations
                }
            }
        }
        self.lags = lags
    }

    /// The per-partition lag of duplication `dupid`; partitions without a value are absent.
    /// - Parameter dupid: The duplication id.
    public func partitionLags(dupid: Int32) -> [Int32: Int64] {
        self.lags[dupid] ?? [:]
    }

    /// Whether `partition`'s primary was asked and did not answer.
    /// - Parameter partition: The partition index.
    public func primaryFailed(partition: Int32) -> Bool {
        guard let replica = self.primaries[partition] else { return false }
        return self.failedReplicas.contains { $0.replica == replica }
    }
}
