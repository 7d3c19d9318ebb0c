import PegasusWire

/// Runtime state of one duplication of a table.
struct SimDuplicationState: Sendable {
    /// `dupid`: creation time in seconds, unique per table.
    var dupid: Int32
    /// Remote cluster name.
    var remote: String
    /// Status.
    var status: DuplicationStatus
    /// Fail mode.
    var failMode: DuplicationFailMode
    /// Creation time in milliseconds.
    var createTimeMilliseconds: Int64
    /// Follower table name.
    var remoteAppName: String
    /// Follower replica count.
    var remoteReplicaCount: Int32
    /// Confirmed decree per partition; -1 = not synced.
    var confirmedDecrees: [Int64]

    /// Applies `progress` against the partitions' last committed decrees.
    mutating func apply(_ progress: SimDuplicationSpec.Progress, lastCommitted: [Int64]) {
        switch progress {
        case .lag(let lag):
            confirmedDecrees = lastCommitted.map { max(0, $0 - lag) }
        case .unknown:
            confirmedDecrees = lastCommitted.map { _ in -1 }
        case .confirmed(let decrees):
            confirmedDecrees = lastCommitted.indices.map { $0 < decrees.count ? decrees[$0] : -1 }
        }
    }
}
