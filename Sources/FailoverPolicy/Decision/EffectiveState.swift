import Foundation

/// Where a table is routed right now, as a decision input.
/// ``EffectiveRoute/effectiveState(primary:)`` derives it from the stored document.
public struct EffectiveState: Hashable, Sendable {
    /// The cluster the table is on.
    public enum Placement: Hashable, Sendable {
        /// On its declared primary.
        case onPrimary
        /// On a backup: which one, since when, why, and whether an automatic decider put it there
        /// (`false` for operator switches, which automatic failback never undoes).
        case onBackup(cluster: String, since: Date, reason: DecisionReason, automatic: Bool)
    }

    /// The cluster the table is on.
    public var placement: Placement
    /// When the table last switched cluster in either direction, or `nil` if never (no cooldown).
    public var lastSwitchAt: Date?

    /// Creates an effective state.
    public init(placement: Placement, lastSwitchAt: Date?) {
        self.placement = placement
        self.lastSwitchAt = lastSwitchAt
    }

    /// On the primary, never switched.
    public static let initial = EffectiveState(placement: .onPrimary, lastSwitchAt: nil)
}
