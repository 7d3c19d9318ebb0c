/// What a ``FailoverPolicyKind`` decided for one table at one instant.
public enum Decision: Hashable, Sendable {
    /// Stay on the current cluster.
    case keep(DecisionReason)
    /// Route the table to `cluster` (a backup).
    case switchTo(cluster: String, reason: DecisionReason)
    /// Route the table back to its primary.
    case switchBack(DecisionReason)
    /// A switch was warranted, but a check (guard, health, reverse duplication) forbids it.
    /// The caller logs and counts it; the table stays where it is.
    case refuse(DecisionReason)

    /// The reason of any case.
    public var reason: DecisionReason {
        switch self {
        case .keep(let reason), .switchBack(let reason), .refuse(let reason): reason
        case .switchTo(_, let reason): reason
        }
    }
}
