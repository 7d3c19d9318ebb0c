/// What re-reading the configuration file changes (a SIGHUP reload): the changed keys applied to the
/// running process and the changed keys that take effect only after a restart.
///
/// Keys are compared by ``ProxyConfiguration/summary`` (the effective value of each key).
public struct ConfigurationChanges: Sendable, Equatable {
    /// The keys a running process applies: `log.level`.
    public static let reloadableKeys: Set<String> = ["log.level"]

    /// Changed keys applied now, sorted.
    public var applied: [String]
    /// Changed keys that need a restart, sorted.
    public var needRestart: [String]

    /// The changes from `old` to `new`.
    public init(from old: ProxyConfiguration, to new: ProxyConfiguration) {
        let before = old.summary
        let after = new.summary
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        applied = changed.filter { Self.reloadableKeys.contains($0) }
        needRestart = changed.filter { !Self.reloadableKeys.contains($0) }
    }

    /// Whether nothing changed.
    public var isEmpty: Bool { applied.isEmpty && needRestart.isEmpty }
}
