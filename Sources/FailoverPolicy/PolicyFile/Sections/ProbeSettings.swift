import Yams

/// The `probe:` section: how the health prober judges the clusters a table uses.
///
/// ```yaml
/// probe: { interval: 2s, timeout: 1s, fall: 3, rise: 3 }
/// ```
/// A cluster becomes *down* after `fall` failed probes in a row and *up* after `rise` good ones
/// (docs/pegasus-reference.md §11.3). The prober applies these per cluster; this module only carries and validates them.
///
/// Not HealthProbe's `ProbeTarget.Settings`: this is what a policy file says, with the file's
/// defaults (`rise: 3`); the router turns it into the prober's settings (`ProbeTargetPlanner`), whose
/// own defaults (`rise: 2`) apply only to targets built without a policy.
public struct ProbeSettings: Hashable, Sendable {
    /// `probe.interval`: time between probes. Default `2s`. Must be greater than zero.
    public var interval: Duration
    /// `probe.timeout`: how long one probe may take. Default `1s`. Greater than zero, at most `interval`.
    public var timeout: Duration
    /// `probe.fall`: failed probes in a row before the cluster is *down*. Default `3`, at least `1`.
    public var fall: Int
    /// `probe.rise`: good probes in a row before the cluster is *up*. Default `3`, at least `1`.
    public var rise: Int

    /// Creates probe settings; the defaults are those of a policy file without a `probe:` section.
    public init(interval: Duration = .seconds(2), timeout: Duration = .seconds(1), fall: Int = 3, rise: Int = 3) {
        self.interval = interval
        self.timeout = timeout
        self.fall = fall
        self.rise = rise
    }
}

extension ProbeSettings {
    /// The `probe:` keys.
    static let keys: Set<String> = ["interval", "timeout", "fall", "rise"]

    /// Reads a `probe:` section; keys it does not set keep their defaults.
    /// - Parameters:
    ///   - node: The section's YAML node.
    ///   - parser: The file's parser (file name for errors, scalar readers).
    /// - Throws: ``PolicyError`` naming `probe.<key>`.
    init(section node: Node, parser: PolicyFileParser) throws(PolicyError) {
        self.init()
        let entries = try parser.section(node, at: "probe", keys: Self.keys)
        try parser.read(entries, "interval", in: "probe", parser.duration, into: &self.interval)
        try parser.read(entries, "timeout", in: "probe", parser.duration, into: &self.timeout)
        try parser.read(entries, "fall", in: "probe", parser.integer, into: &self.fall)
        try parser.read(entries, "rise", in: "probe", parser.integer, into: &self.rise)
    }

    /// Checks the ranges listed on each property.
    /// - Parameter spec: The policy, for the file name in errors.
    /// - Throws: ``PolicyError`` naming the first offending `probe.<key>`.
    func validate(in spec: PolicySpec) throws(PolicyError) {
        if interval <= .zero {
            throw spec.invalidValue(at: "probe.interval", "must be greater than 0")
        }
        if timeout <= .zero {
            throw spec.invalidValue(at: "probe.timeout", "must be greater than 0")
        }
        if timeout > interval {
            throw spec.invalidValue(
                at: "probe.timeout",
                "\(PolicyDuration.format(timeout)) is longer than probe.interval "
                    + PolicyDuration.format(interval)
            )
        }
        if fall < 1 {
            throw spec.invalidValue(at: "probe.fall", "\(fall) is less than 1")
        }
        if rise < 1 {
            throw spec.invalidValue(at: "probe.rise", "\(rise) is less than 1")
        }
    }
}
