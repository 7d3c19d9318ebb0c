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
