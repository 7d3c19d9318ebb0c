/// Turns one ``ClusterRound`` into a ``ClusterVerdict``.
///
/// A round is healthy when **all** hold:
/// 1. at least one MetaServer answered `/version` within the timeout in this round;
/// 2. a leader is known and answered: its `/meta/cluster` returned 200, or the RPC probe reached it;
/// 3. if an RPC probe is configured for the cluster, it reached the leader and the table has no
///    partition without a primary.
///
/// Rule 1 uses this round's results, not the MetaServers' rise/fall states, so hysteresis is applied
/// once, by the cluster's own ``RiseFall`` over these verdicts.
public struct ClusterHealthRules: Sendable, Hashable {
    /// Creates the rules.
    public init() {}

    /// Judges one round.
    /// - Parameter round: What the round observed.
    /// - Returns: The verdict and its deciding rule.
    public func verdict(for round: ClusterRound) -> ClusterVerdict {
        let answering = round.metas.filter(\.succeeded)
        guard !answering.isEmpty else {
            let detail = round.metas.first { $0.error != nil }?.error?.description
            return ClusterVerdict(healthy: false, reason: .noMetaAnswered, detail: detail)
        }
        var rpcReachedLeader = false
        if case .leaderAnswered = round.rpc {
            rpcReachedLeader = true
        }
        guard round.leader.answered || rpcReachedLeader else {
            if let leader = round.leader.leader {
                return ClusterVerdict(healthy: false, reason: .leaderNotAnswering, detail: leader)
            }
            return ClusterVerdict(healthy: false, reason: .leaderUnknown, detail: round.leader.lastError)
        }
        switch round.rpc {
        case nil:
            return ClusterVerdict(healthy: true, reason: .healthy)
        case .leaderAnswered(let partitionCount, let withoutPrimary, _) where withoutPrimary > 0:
            return ClusterVerdict(
                healthy: false,
                reason: .partitionsWithoutPrimary,
                detail: "\(withoutPrimary) of \(partitionCount) partitions have no primary"
            )
        case .leaderAnswered:
            return ClusterVerdict(healthy: true, reason: .healthy)
        case .forwardOnly:
            return ClusterVerdict(healthy: false, reason: .rpcForwardOnly)
        case .error(let message):
            return ClusterVerdict(healthy: false, reason: .rpcError, detail: message)
        }
    }
}
