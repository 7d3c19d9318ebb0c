import FailoverPolicy
import PegasusWire
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The last refused automatic switch of a table, as `GET /failover` shows it.
public struct FailoverRefusal: Sendable, Hashable, Codable {
    /// The table.
    public var table: String
    /// The cluster the table stayed on.
    public var cluster: String
    /// Why the switch was refused.
    public var reason: DecisionReason
    /// The policy that refused.
    public var policy: String
    /// When this refusal episode started (same reason code since then).
    public var since: Date
    /// The latest time it was refused.
    public var at: Date
}

/// The decider's memory of refused switches, so a refusal that repeats every tick is logged and
/// counted once per episode: when it starts, or when its reason code changes.
struct RefusalTracker: Sendable {
    private(set) var records: [String: FailoverRefusal] = [:]
    /// Tables whose refusal episode is ongoing (their previous decision was a refusal).
    private var ongoing: Set<String> = []

    /// Records a refusal.
    /// - Returns: Whether it starts a new episode (log and count it).
    mutating func refused(table: String, cluster: String, reason: DecisionReason, policy: String, at time: Date) -> Bool {
        let previous = records[table]
        let continues = ongoing.contains(table) && previous?.reason.code == reason.code
        records[table] = FailoverRefusal(
            table: table,
            cluster: cluster,
            reason: reason,
            policy: policy,
            since: continues ? previous?.since ?? time : time,
            at: time
        )
        ongoing.insert(table)
        return !continues
    }

    /// Records a decision that is not a refusal: the episode ends (the record stays for display).
    mutating func notRefused(table: String) {
        ongoing.remove(table)
    }
}
