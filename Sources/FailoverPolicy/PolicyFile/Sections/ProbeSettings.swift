/// The `probe:` section: how the health prober judges the clusters a table uses.
///
/// ```yaml
/// probe: { interval: 2s, timeout: 1s, fall: 3, rise: 3 }
/// ```
/// A cluster becomes *down* after `fall` failed probes in a row and *up* after `rise` good ones
/// (design doc §2.3). The prober applies these per cluster; this module only carries and validates them.
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
