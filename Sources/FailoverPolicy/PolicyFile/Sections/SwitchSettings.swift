import Yams

/// The `switch:` section: when an automatic kind may switch a table to another cluster.
///
/// ```yaml
/// switch: { min_down: 10s, cooldown: 5m }
/// ```
public struct SwitchSettings: Hashable, Sendable {
    /// `switch.min_down`: how long the active cluster must have been *down* (that is, counted from
    /// the moment `probe.fall` failures made it down) before a switch. Default `10s`, may be `0`.
    /// A probe glitch shorter than this never switches.
    public var minDown: Duration
    /// `switch.cooldown`: no automatic switch (failover or failback) within this time after the
    /// previous switch of the table, whoever made it. Default `5m`, may be `0`.
    public var cooldown: Duration

    /// Creates switch settings; the defaults are those of a policy file without a `switch:` section.
    public init(minDown: Duration = .seconds(10), cooldown: Duration = .seconds(300)) {
        self.minDown = minDown
        self.cooldown = cooldown
    }
}

extension SwitchSettings {
    /// The `switch:` keys.
    static let keys: Set<String> = ["min_down", "cooldown"]

    /// Reads a `switch:` section; keys it does not set keep their defaults.
    /// - Parameters:
    ///   - node: The section's YAML node.
    ///   - parser: The file's parser (file name for errors, scalar readers).
    /// - Throws: ``PolicyError`` naming `switch.<key>`.
    init(section node: Node, parser: PolicyFileParser) throws(PolicyError) {
        self.init()
        let entries = try parser.section(node, at: "switch", keys: Self.keys)
        try parser.read(entries, "min_down", in: "switch", parser.duration, into: &self.minDown)
        try parser.read(entries, "cooldown", in: "switch", parser.duration, into: &self.cooldown)
    }

    /// Checks the ranges listed on each property.
    /// - Parameter spec: The policy, for the file name in errors.
    /// - Throws: ``PolicyError`` naming the first offending `switch.<key>`.
    func validate(in spec: PolicySpec) throws(PolicyError) {
        if minDown < .zero {
            throw spec.invalidValue(at: "switch.min_down", "must not be negative")
        }
        if cooldown < .zero {
            throw spec.invalidValue(at: "switch.cooldown", "must not be negative")
        }
    }
}
