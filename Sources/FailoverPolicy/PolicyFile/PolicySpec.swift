/// One policy file, parsed and validated: the public contract of `policies/*.yaml`.
///
/// ```yaml
/// name: fast-auto                  # default: the file name without .yaml
/// tables: ["t1", "orders_*"]       # required, non-empty
/// kind: auto-failover              # default: manual
/// probe:    { interval: 1s, timeout: 500ms, fall: 3, rise: 3 }   # defaults 2s, 1s, 3, 3
/// switch:   { min_down: 2s, cooldown: 30s }                      # defaults 10s, 5m
/// failback: { after_healthy: 60s, require_reverse_duplication: true }  # defaults 5m, true
/// guard:    { max_lag_decrees: 1000, max_lag_age: 30s }          # defaults 1000, 60s
/// ```
///
/// * **Files.** ``PolicySet/load(directory:registry:)`` reads every `*.yaml` file directly in the
///   directory (not `.yml`, not subdirectories, not names starting with `.`), in file-name order.
///   `policies/examples/` is therefore never loaded by default.
/// * **tables.** Exact names or globs: `*` matches any run of characters (also none), `?` exactly
///   one. An exact name beats every glob; among globs the one with more literal (non-wildcard)
///   characters wins. `"*"` is the default policy. Quote globs: a bare `*` starts a YAML alias. Two files listing the same exact name, or two
///   files with globs of equal literal count that could match the same table name, are a load error
///   naming both files: no table's policy ever depends on file names. A table matching nothing
///   gets ``Policy/builtInDefault`` (kind `manual`).
/// * **kind.** `manual`, `auto-failover`, `auto-failover-failback`, or any kind registered in the
///   ``PolicyRegistry``. See each kind's type for its rules.
/// * **Durations** follow ``PolicyDuration``: `500ms`, `2s`, `1m`, `1h`, `1m30s`, or `0`; other
///   bare numbers are an error.
/// * **Validation.** `probe.fall` and `probe.rise` ≥ 1; `probe.interval` > 0; 0 < `probe.timeout`
///   ≤ `probe.interval`; `guard.max_lag_decrees` ≥ 0; `guard.max_lag_age` > 0; other durations ≥ 0;
///   `failback.require_reverse_duplication` is `true` or `false`. Unknown keys inside the built-in
///   sections are errors. Top-level keys other than `name`, `tables`, `kind`, `probe`, `switch`,
///   `guard` are errors unless the kind lists them in ``FailoverPolicyKind/acceptedKeys``
///   (`auto-failover-failback` accepts `failback`); a custom kind receives its keys in ``extra``.
///
/// Errors are ``PolicyError`` values naming the file and the key path.
public struct PolicySpec: Hashable, Sendable {
    /// `name`: the policy's name, shown in logs and `failover status`.
    public var name: String
    /// The file the policy came from (`directory/file.yaml`), or `<built-in>`.
    public var file: String
    /// `tables`: exact table names and globs.
    public var tables: [String]
    /// `kind`: the registered kind name.
    public var kind: String
    /// `probe:` settings.
    public var probe: ProbeSettings
    /// `switch:` settings.
    public var switching: SwitchSettings
    /// `failback:` settings (used by `auto-failover-failback` and ``ManualSwitch``).
    public var failback: FailbackSettings
    /// `guard:` settings.
    public var lagGuard: GuardSettings
    /// Top-level keys the kind declared in ``FailoverPolicyKind/acceptedKeys`` and that are not
    /// built-in sections, for custom kinds to read in `init(spec:)`.
    public var extra: [String: PolicyValue]

    /// Creates a spec; defaults are those of a file that leaves the keys out. Call ``validate()``
    /// on specs not made by the loader.
    public init(
        name: String,
        file: String = "<built-in>",
        tables: [String],
        kind: String = ManualKind.name,
        probe: ProbeSettings = ProbeSettings(),
        switching: SwitchSettings = SwitchSettings(),
        failback: FailbackSettings = FailbackSettings(),
        lagGuard: GuardSettings = GuardSettings(),
        extra: [String: PolicyValue] = [:]
    ) {
        self.name = name
        self.file = file
        self.tables = tables
        self.kind = kind
        self.probe = probe
        self.switching = switching
        self.failback = failback
        self.lagGuard = lagGuard
        self.extra = extra
    }

    /// An ``PolicyError/Code/invalidValue`` error for this spec's file, for custom kinds.
    /// - Parameters:
    ///   - keyPath: The dotted key path, e.g. `quorum.min`.
    ///   - message: What is wrong, naming the value.
    public func invalidValue(at keyPath: String, _ message: String) -> PolicyError {
        PolicyError(code: .invalidValue, file: file, keyPath: keyPath, message: message)
    }

    /// Checks the ranges listed in the type's documentation.
    /// - Throws: ``PolicyError`` naming the file and the first offending key.
    public func validate() throws(PolicyError) {
        if name.isEmpty {
            throw invalidValue(at: "name", "must not be empty")
        }
        if tables.isEmpty {
            throw invalidValue(at: "tables", "must list at least one table or glob")
        }
        var seen = Set<String>()
        for (index, table) in tables.enumerated() {
            if table.isEmpty {
                throw invalidValue(at: "tables[\(index)]", "must not be empty")
            }
            if !seen.insert(table).inserted {
                throw invalidValue(at: "tables[\(index)]", "\"\(table)\" is listed twice")
            }
        }
        try probe.validate(in: self)
        try switching.validate(in: self)
        try failback.validate(in: self)
        try lagGuard.validate(in: self)
    }
}
