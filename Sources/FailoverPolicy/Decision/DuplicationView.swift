import Foundation

/// What is known about one duplication of the table (design doc §3.3–3.4), as a decision input.
///
/// ``DecisionInput/duplications`` holds the views from the primary to each backup,
/// ``DecisionInput/reverseDuplications`` those from a backup back to the primary.
public struct DuplicationView: Hashable, Sendable {
    /// `duplication_status` (i32 on the wire).
    public enum Status: Int32, Hashable, Sendable {
        /// `DS_INIT` = 0: created, not started.
        case initial = 0
        /// `DS_PREPARE` = 1: checkpoint being prepared.
        case prepare = 1
        /// `DS_APP` = 2: follower table being created, checkpoint copied.
        case app = 2
        /// `DS_LOG` = 3: steady state, mutations shipped. The only status a guard accepts.
        case log = 3
        /// `DS_PAUSE` = 4: paused by an operator, lag grows.
        case pause = 4
        /// `DS_REMOVED` = 5: removed.
        case removed = 5

        /// The IDL name, e.g. `DS_LOG`.
        public var wireName: String {
            switch self {
            case .initial: "DS_INIT"
            case .prepare: "DS_PREPARE"
            case .app: "DS_APP"
            case .log: "DS_LOG"
            case .pause: "DS_PAUSE"
            case .removed: "DS_REMOVED"
            }
        }
    }

    /// `duplication_fail_mode` (i32 on the wire).
    public enum FailMode: Int32, Hashable, Sendable {
        /// `FAIL_SLOW` = 0: retry forever (default).
        case slow = 0
        /// `FAIL_SKIP` = 1: drop writes that fail to ship. A guard never accepts it.
        case skip = 1
        /// `FAIL_FAST` = 2: kill the server process.
        case fast = 2

        /// The IDL name, e.g. `FAIL_SKIP`.
        public var wireName: String {
            switch self {
            case .slow: "FAIL_SLOW"
            case .skip: "FAIL_SKIP"
            case .fast: "FAIL_FAST"
            }
        }
    }

    /// Whether the table has a duplication to this cluster at all.
    public var duplicating: Bool
    /// The duplication's status.
    public var status: Status
    /// The duplication's fail mode.
    public var failMode: FailMode
    /// The largest per-partition lag (`last_committed_decree - confirmed_decree`) over **all**
    /// partitions, or `nil` when any partition's lag is unknown (missing, or `-1`).
    /// A negative value is treated as unknown.
    public var maxLagDecrees: Int?
    /// When that lag was read; its age is `now - observedAt`. `nil` means never read (lag unknown).
    public var observedAt: Date?

    /// Creates a duplication view.
    public init(
        duplicating: Bool = true,
        status: Status,
        failMode: FailMode = .slow,
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
