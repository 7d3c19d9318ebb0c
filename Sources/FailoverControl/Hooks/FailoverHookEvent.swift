import FailoverPolicy

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON a failover hook receives (exec: on stdin; URL: as the POST body) for every decision the
/// decider writes and every refusal episode it starts.
///
/// Keys sorted, dates ISO 8601; `to` is absent for a refusal, `lag_decrees` when unknown,
/// `observers` when no observer information is available, `policy_hash` for a policy not loaded
/// from a file:
/// ```json
/// {"decided_by": "proxy-1:34601", "event": "switch", "from": "pegasus-a", "lag_decrees": 0,
///  "policy": "fast-auto", "policy_hash": "fnv1a:9c1f0e4b2a7d3e11",
///  "reason": {"code": "effective_down", "text": "pegasus-a down for 10s"},
///  "table": "orders", "time": "2026-01-01T10:00:00Z", "to": "pegasus-b"}
/// ```
public struct FailoverHookEvent: Codable, Hashable, Sendable {
    /// What happened.
    public enum Kind: String, Codable, Hashable, Sendable {
        /// The table was switched to a backup.
        case switchTo = "switch"
        /// The table was switched back to its primary.
        case switchBack = "switch_back"
        /// A switch was refused (a new refusal episode: it started or its reason code changed).
        case refusal
    }

    /// What happened.
    public var event: Kind
    /// The table.
    public var table: String
    /// The cluster the table was on.
    public var from: String
    /// The cluster it moved to; `nil` for a refusal.
    public var to: String?
    /// Why.
    public var reason: DecisionReason
    /// What the live observers see of the cluster the table was on (`{"live": n, "down": n, "up": n}`),
    /// when the decider has observer views.
    public var observers: [String: Int]?
    /// The duplication lag toward `to` (or the largest toward any backup, for a refusal), in decrees.
    public var lagDecrees: Int?
    /// The policy's name.
    public var policy: String
    /// The policy file's hash (``FailoverPolicy/Policy/fileHash``).
    public var policyHash: String?
    /// The deciding instance.
    public var decidedBy: String
    /// When it was decided.
    public var time: Date

    enum CodingKeys: String, CodingKey {
        case event, table, from, to, reason, observers, policy, time
        case lagDecrees = "lag_decrees"
        case policyHash = "policy_hash"
        case decidedBy = "decided_by"
    }

    /// Creates an event.
    public init(
        event: Kind, table: String, from: String, to: String?, reason: DecisionReason, observers: [String: Int]? = nil,
        lagDecrees: Int?, policy: String, policyHash: String?, decidedBy: String, time: Date
    ) {
        self.event = event
        self.table = table
        self.from = from
        self.to = to
        self.reason = reason
        self.observers = observers
        self.lagDecrees = lagDecrees
        self.policy = policy
        self.policyHash = policyHash
        self.decidedBy = decidedBy
        self.time = time
    }

    /// The payload bytes.
    public func jsonBytes() throws -> [UInt8] {
        Array(try FailoverJSON.makeEncoder().encode(self))
    }
}
