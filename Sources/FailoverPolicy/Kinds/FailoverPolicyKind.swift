/// A kind of failover policy: the rules that turn a ``DecisionInput`` into a ``Decision``.
///
/// Adding a kind means writing one conforming type and registering it:
/// ```swift
/// struct QuorumKind: FailoverPolicyKind {
///     static let name = "quorum"
///     static let acceptedKeys: Set<String> = ["quorum"]
///     init(spec: PolicySpec) throws(PolicyError) { ... spec.extra["quorum"] ... }
///     func decide(_ input: DecisionInput) -> Decision { ... }
/// }
/// var registry = PolicyRegistry.builtIn
/// try registry.register(QuorumKind.self)
/// ```
/// `decide` must be pure: same input, same decision. Time comes only from `input.now`.
public protocol FailoverPolicyKind: Sendable {
    /// The value of `kind:` in policy files, e.g. `auto-failover`.
    static var name: String { get }
    /// Top-level keys this kind accepts besides `name`, `tables`, `kind`, `probe`, `switch`, `guard`.
    /// Default: none. Keys that are not built-in sections arrive in ``PolicySpec/extra``.
    static var acceptedKeys: Set<String> { get }
    /// Builds the kind from a validated spec.
    /// - Throws: ``PolicyError`` (use ``PolicySpec/invalidValue(at:_:)``) for bad kind-specific keys.
    init(spec: PolicySpec) throws(PolicyError)
    /// Decides for one table at `input.now`.
    func decide(_ input: DecisionInput) -> Decision
}

extension FailoverPolicyKind {
    /// No extra keys.
    public static var acceptedKeys: Set<String> { [] }
}
