import Foundation

/// One switch of a table, as kept in ``EffectiveRoute/history`` and shown by `failover status`.
///
/// JSON (keys sorted, dates ISO 8601, see ``FailoverJSON``):
/// ```json
/// {"at": "2025-01-01T10:00:00Z", "decided_by": "proxy-1", "from": "pegasus-a", "lag_decrees": 12,
///  "reason": {"code": "effective_down", "text": "..."}, "table": "orders", "to": "pegasus-b",
///  "policy": "fast-auto", "policy_hash": "fnv1a:9c1f0e4b2a7d3e11", "trigger": "automatic"}
/// ```
/// `lag_decrees` is absent when unknown; `policy` and `policy_hash` when no policy decided (planned
/// switchovers) or the policy was not loaded from a file (`policy_hash`). Unknown keys are ignored when decoding.
public struct DecisionRecord: Codable, Hashable, Sendable {
    /// Who or what caused the switch.
    public enum Trigger: String, Codable, Hashable, Sendable {
        /// A policy kind decided.
        case automatic
        /// An operator asked and every check passed.
        case manual
        /// An operator forced the switch over a failed check.
        case forced
        /// A planned migration (writes blocked, duplication drained).
        case planned
    }

    /// The table.
    public var table: String
    /// The cluster the table left.
    public var from: String
    /// The cluster the table moved to.
    public var to: String
    /// Why.
    public var reason: DecisionReason
    /// When.
    public var at: Date
    /// The deciding process (proxy instance id or operator name).
    public var decidedBy: String
    /// The lag toward `to` known at the time (the primary → backup lag, or backup → primary on failback).
    public var lagDecrees: Int?
    /// Automatic, manual, forced or planned.
    public var trigger: Trigger
    /// The policy that decided or judged the switch (``Policy/name``).
    public var policy: String?
    /// The hash of that policy's file (``Policy/fileHash``).
    public var policyHash: String?

    enum CodingKeys: String, CodingKey {
        case table, from, to, reason, at, trigger
        case decidedBy = "decided_by"
        case lagDecrees = "lag_decrees"
        case policy
        case policyHash = "policy_hash"
    }

    /// Names `policy` (and its file hash) as the one that decided.
    public mutating func name(_ policy: Policy) {
        self.policy = policy.name
        self.policyHash = policy.fileHash
    }

    /// Creates a record.
    public init(
        table: String,
        from: String,
        to: String,
        reason: DecisionReason,
        at: Date,
        decidedBy: String,
        lagDecrees: Int?,
        trigger: Trigger
    ) {
        self.table = table
        self.from = from
        self.to = to
        self.reason = reason
        self.at = at
        self.decidedBy = decidedBy
        self.lagDecrees = lagDecrees
        self.trigger = trigger
    }

    /// The record of a switching decision; `nil` for ``Decision/keep(_:)`` and ``Decision/refuse(_:)``.
    /// - Parameters:
    ///   - decision: The decision (automatic, or from ``ManualSwitch/validate(to:input:spec:force:)``).
    ///   - input: The input it was made from; gives the table, clusters, lag and time (`input.now`).
    ///   - decidedBy: The deciding process or operator.
    ///   - trigger: What caused it.
    public init?(decision: Decision, input: DecisionInput, decidedBy: String, trigger: Trigger) {
        let from = input.effectiveCluster
        let to: String
        let reason: DecisionReason
        let lag: Int?
        switch decision {
        case .keep, .refuse:
            return nil
        case .switchTo(let cluster, let switchReason):
            (to, reason, lag) = (cluster, switchReason, input.duplications[cluster]?.maxLagDecrees)
        case .switchBack(let switchReason):
            (to, reason, lag) = (input.primary, switchReason, input.reverseDuplications[from]?.maxLagDecrees)
        }
        self.init(
            table: input.table,
            from: from,
            to: to,
            reason: reason,
            at: input.now,
            decidedBy: decidedBy,
            lagDecrees: lag,
            trigger: trigger
        )
    }
}
