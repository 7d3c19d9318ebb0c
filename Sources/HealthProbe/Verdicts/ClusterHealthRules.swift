/// Turns one ``ClusterRound`` into a ``ClusterVerdict``: the cluster-level health rules.
///
/// A cluster's health comes from **cluster-level signals** only; one table's state never decides it
/// (docs/pegasus-reference.md §11.3). A round is healthy when **all** hold:
/// 1. at least one MetaServer answered `/version` within the timeout in this round
///    (``ClusterVerdict/Reason/noMetaAnswered``);
/// 2. the leader was reached by any of: its `/meta/cluster` answered 200, the leader answered the
///    RPC probe's query_config (whatever it said about the table), or the leader listed the tables
///    (`RPC_CM_LIST_APPS`) (``ClusterVerdict/Reason/leaderUnknown``,
///    ``ClusterVerdict/Reason/leaderNotAnswering``);
/// 3. if the RPC probe's table is available, it has no partition without a primary
///    (``ClusterVerdict/Reason/partitionsWithoutPrimary``);
/// 4. if the RPC probe failed (transport, timeout, a non-table error) or got only forwards, another
///    leader signal (HTTP `/meta/cluster` or the table list) reached the leader; else
///    ``ClusterVerdict/Reason/rpcError`` / ``ClusterVerdict/Reason/rpcForwardOnly``.
///
/// The probe table dropped, being created or dropped (``RPCProbeOutcome/tableUnavailable(_:)``:
/// `ERR_OBJECT_NOT_FOUND`, `ERR_BUSY_CREATING`, `ERR_BUSY_DROPPING`, …) is a **table** problem: the
/// leader answered, so the round is healthy with reason ``ClusterVerdict/Reason/probeTableUnavailable``.
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
        switch round.rpc {
        case .leaderAnswered, .tableUnavailable:
            rpcReachedLeader = true
        case .forwardOnly, .error, nil:
            break
        }
        var listReachedLeader = false
        if case .listed = round.apps {
            listReachedLeader = true
        }
        let otherLeaderSignal = round.leader.answered || listReachedLeader
        guard otherLeaderSignal || rpcReachedLeader else {
            if let leader = round.leader.leader {
                return ClusterVerdict(healthy: false, reason: .leaderNotAnswering, detail: leader)
            }
            switch round.rpc {
            case .forwardOnly:
                return ClusterVerdict(healthy: false, reason: .rpcForwardOnly)
            case .error(let message):
                return ClusterVerdict(healthy: false, reason: .rpcError, detail: message)
            default:
                return ClusterVerdict(healthy: false, reason: .leaderUnknown, detail: round.leader.lastError)
            }
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
        case .tableUnavailable(let code):
            return ClusterVerdict(healthy: true, reason: .probeTableUnavailable, detail: code)
        case .forwardOnly where !listReachedLeader:
            return ClusterVerdict(healthy: false, reason: .rpcForwardOnly)
        case .error(let message) where !listReachedLeader:
            return ClusterVerdict(healthy: false, reason: .rpcError, detail: message)
        case .forwardOnly, .error:
            // The leader listed the tables over the same RPC port: a single failed query_config
            // (a timeout, a busy leader) does not make the cluster unhealthy.
            return ClusterVerdict(healthy: true, reason: .healthy)
        }
    }
}
