/// The `failback:` section, accepted only by kind `auto-failover-failback`.
///
/// ```yaml
/// failback: { after_healthy: 5m, require_reverse_duplication: true }
/// ```
/// Data caveat (design doc §5.2): duplication is one-way. While the table is on the backup, its
/// writes reach the primary only through a reverse duplication (backup → primary), and the old
/// primary's unshipped tail from before the failover never reached the backup. Failing back without
/// a healthy reverse duplication silently drops every write taken by the backup.
public struct FailbackSettings: Hashable, Sendable {
    /// `failback.after_healthy`: how long the primary must have been *up* (after `probe.rise`)
    /// before switching back. Default `5m`, may be `0`.
    public var afterHealthy: Duration
    /// `failback.require_reverse_duplication`: when `true` (default) an automatic failback is refused
    /// unless a reverse duplication view (backup → primary) is known and passes the `guard:`; when
    /// `false` a failback without any reverse view goes ahead (a known view is still guarded).
    /// ``ManualSwitch`` applies the same rule to `failover back` unless forced.
    public var requireReverseDuplication: Bool

    /// Creates failback settings; the defaults are those of a policy file without a `failback:` section.
    public init(afterHealthy: Duration = .seconds(300), requireReverseDuplication: Bool = true) {
        self.afterHealthy = afterHealthy
        self.requireReverseDuplication = requireReverseDuplication
    }
}
