import Foundation

/// One switch of a table, as kept in ``EffectiveRoute/history`` and shown by `failover status`.
///
/// JSON (keys sorted, dates ISO 8601, see ``FailoverJSON``):
/// ```json
/// {"at": "2025-01-01T10:00:00Z", "decided_by": "proxy-1", "from": "pegasus-a", "lag_decrees": 12,
///  "reason": {"code": "effective_down", "text": "..."}, "table": "orders", "to": "pegasus-b",
///  "trigger": "automatic"}
/// ```
/// `lag_decrees` is absent when unknown. Unknown keys are ignored when decoding.
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

    enum CodingKeys: String, CodingKey {
        case table, from, to, reason, at, trigger
        case decidedBy = "decided_by"
        case lagDecrees = "lag_decrees"
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
