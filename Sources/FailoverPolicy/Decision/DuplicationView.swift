import Foundation
import PegasusWire

/// What is known about one duplication of the table (docs/pegasus-reference.md §12.3–§12.4), as a decision input.
///
/// ``DecisionInput/duplications`` holds the views from the primary to each backup,
/// ``DecisionInput/reverseDuplications`` those from a backup back to the primary. The status and fail
/// mode are PegasusWire's values; a guard accepts only `DS_LOG` and never `FAIL_SKIP`.
public struct DuplicationView: Hashable, Sendable {
    /// Whether the table has a duplication to this cluster at all.
    public var duplicating: Bool
    /// The duplication's status.
    public var status: DuplicationStatus
    /// The duplication's fail mode.
    public var failMode: DuplicationFailMode
    /// The largest per-partition lag (`last_committed_decree - confirmed_decree`) over **all**
    /// partitions, or `nil` when any partition's lag is unknown (missing, or `-1`).
    /// A negative value is treated as unknown.
    public var maxLagDecrees: Int?
    /// When that lag was read; its age is `now - observedAt`. `nil` means never read (lag unknown).
    public var observedAt: Date?

    /// Creates a duplication view.
    /// - Parameters:
    ///   - duplicating: Whether the table has a duplication to this cluster.
    ///   - status: The duplication's status.
    ///   - failMode: The duplication's fail mode.
    ///   - maxLagDecrees: The largest per-partition lag, `nil` when unknown.
    ///   - observedAt: When that lag was read, `nil` when never.
    public init(
        duplicating: Bool = true,
        status: DuplicationStatus,
        failMode: DuplicationFailMode = .slow,
        maxLagDecrees: Int?,
        observedAt: Date?
    ) {
        self.duplicating = duplicating
        self.status = status
        self.failMode = failMode
        self.maxLagDecrees = maxLagDecrees
        self.observedAt = observedAt
    }
}
