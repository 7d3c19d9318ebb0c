/// Kind `manual`: never switches by itself. Every decision is ``Decision/keep(_:)``
/// (``DecisionReason/Code/paused`` when paused, else ``DecisionReason/Code/manualPolicy``).
/// Operators switch with ``ManualSwitch``.
public struct ManualKind: FailoverPolicyKind {
    /// `manual`.
    public static let name = "manual"

    /// Creates the kind; it has no settings of its own.
    public init(spec: PolicySpec) {}

    /// Always keeps.
    public func decide(_ input: DecisionInput) -> Decision {
        if let paused = input.pauseReason {
            return .keep(paused)
        }
        return .keep(DecisionReason(.manualPolicy, "policy kind manual: switches only by operator"))
    }
}
