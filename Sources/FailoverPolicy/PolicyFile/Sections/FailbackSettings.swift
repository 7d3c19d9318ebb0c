import Yams

/// The `failback:` section, accepted only by kind `auto-failover-failback`.
///
/// ```yaml
/// failback: { after_healthy: 5m, require_reverse_duplication: true }
/// ```
/// Data caveat (docs/pegasus-reference.md §14 item 2): duplication is one-way. While the table is on the backup, its
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

extension FailbackSettings {
    /// The `failback:` keys.
    static let keys: Set<String> = ["after_healthy", "require_reverse_duplication"]

    /// Reads a `failback:` section; keys it does not set keep their defaults.
    /// - Parameters:
    ///   - node: The section's YAML node.
    ///   - parser: The file's parser (file name for errors, scalar readers).
    /// - Throws: ``PolicyError`` naming `failback.<key>`.
    init(section node: Node, parser: PolicyFileParser) throws(PolicyError) {
        self.init()
        let entries = try parser.section(node, at: "failback", keys: Self.keys)
        try parser.read(entries, "after_healthy", in: "failback", parser.duration, into: &self.afterHealthy)
        try parser.read(
            entries,
            "require_reverse_duplication",
            in: "failback",
            parser.bool,
            into: &self.requireReverseDuplication
        )
    }

    /// Checks the ranges listed on each property.
    /// - Parameter spec: The policy, for the file name in errors.
    /// - Throws: ``PolicyError`` naming `failback.after_healthy` when it is negative.
    func validate(in spec: PolicySpec) throws(PolicyError) {
        if afterHealthy < .zero {
            throw spec.invalidValue(at: "failback.after_healthy", "must not be negative")
        }
    }
}
