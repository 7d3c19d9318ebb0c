/// The outcome of ``GuardSettings/evaluate(_:link:now:)``.
public enum GuardVerdict: Hashable, Sendable {
    /// The duplication is within bounds: its lag and the age of that lag observation.
    case allowed(lagDecrees: Int, age: Duration)
    /// The duplication fails the guard, with the reason.
    case denied(DecisionReason)
}
