/// Why a decision was made: a machine-readable ``Code`` plus text for humans.
///
/// JSON form: `{"code": "effective_down", "text": "primary pegasus-a down for 12s ..."}`.
public struct DecisionReason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A reason code. Built-in codes are static members; custom kinds may define their own
    /// (`DecisionReason.Code(rawValue: "my_kind_rule")`). Unknown codes decode fine.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        /// The snake_case name stored in JSON.
        public var rawValue: String

        /// Creates a code from its stored name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// Automation is paused (per table or globally).
        public static let paused = Code(rawValue: "paused")
        /// Kind `manual` never switches by itself.
        public static let manualPolicy = Code(rawValue: "manual_policy")
        /// The active cluster is up.
        public static let effectiveUp = Code(rawValue: "effective_up")
        /// The active cluster's health is unknown; unknown never counts as down.
        public static let effectiveUnknown = Code(rawValue: "effective_unknown")
        /// The active cluster is down, but for less than `switch.min_down`.
        public static let downTooShort = Code(rawValue: "down_too_short")
        /// The previous switch was less than `switch.cooldown` ago.
        public static let cooldown = Code(rawValue: "cooldown")
        /// The primary is down and the table declares no backup.
        public static let noBackupDeclared = Code(rawValue: "no_backup_declared")
        /// Switch: the active cluster has been down for at least `switch.min_down`.
        public static let effectiveDown = Code(rawValue: "effective_down")
        /// A target cluster is not up.
        public static let targetNotUp = Code(rawValue: "target_not_up")
        /// The target cluster's table denies client requests (app env `replica.deny_client_request`).
        public static let targetDeniesRequests = Code(rawValue: "target_denies_requests")
        /// The duplication to the target is not observed yet (its first read is pending).
        public static let duplicationNotObserved = Code(rawValue: "duplication_not_observed")
        /// Guard: no duplication to the target.
        public static let notDuplicating = Code(rawValue: "not_duplicating")
        /// Guard: duplication status is not `DS_LOG` (e.g. `DS_PAUSE`).
        public static let duplicationNotLog = Code(rawValue: "duplication_not_log")
        /// Guard: fail mode `FAIL_SKIP`.
        public static let failSkip = Code(rawValue: "fail_skip")
        /// Guard: lag unknown (some partition unknown, or never observed).
        public static let lagUnknown = Code(rawValue: "lag_unknown")
        /// Guard: lag above `guard.max_lag_decrees`.
        public static let lagTooHigh = Code(rawValue: "lag_too_high")
        /// Guard: lag observation older than `guard.max_lag_age`.
        public static let observationStale = Code(rawValue: "observation_stale")
        /// Kind `auto-failover` stays on the backup until an operator runs `failover back`.
        public static let automaticFailbackDisabled = Code(rawValue: "automatic_failback_disabled")
        /// The backup the table is on is down; automatic moves between backups are never made.
        public static let effectiveBackupDown = Code(rawValue: "effective_backup_down")
        /// An operator put the table on the backup; automatic failback does not undo that.
        public static let operatorSwitchHeld = Code(rawValue: "operator_switch_held")
        /// Failback waits: the primary is not up.
        public static let primaryNotUp = Code(rawValue: "primary_not_up")
        /// Failback waits: the primary has been up for less than `failback.after_healthy`.
        public static let primaryUpTooShort = Code(rawValue: "primary_up_too_short")
        /// Switch back: the primary has been up for at least `failback.after_healthy`.
        public static let primaryHealthy = Code(rawValue: "primary_healthy")
        /// Failback refused: no reverse duplication (backup → primary) is known.
        public static let reverseDuplicationUnknown = Code(rawValue: "reverse_duplication_unknown")
        /// Refused: fewer live observers than `switch.quorum` see the primary down, or the target up
        /// (failback: the primary up); the text has the counts.
        public static let noQuorum = Code(rawValue: "no_quorum")
        /// Waits: the cluster switched away from was seen alive less than `switch.replica_lease` ago
        /// (its replicas may still take writes); the text has the remaining time.
        public static let leaseNotExpired = Code(rawValue: "lease_not_expired")
        /// Refused: the decider sees more than half of all probed clusters down at once and suspects
        /// its own network rather than the clusters.
        public static let observerSuspect = Code(rawValue: "observer_suspect")
        /// Manual: an operator asked, all checks passed.
        public static let operatorRequest = Code(rawValue: "operator_request")
        /// Manual: an operator forced the switch over a failed check.
        public static let operatorForced = Code(rawValue: "operator_forced")
        /// Manual: moving from one backup to another, which no duplication view can prove lossless.
        public static let betweenBackups = Code(rawValue: "between_backups")
        /// Manual: the cluster is neither the primary nor a declared backup.
        public static let unknownCluster = Code(rawValue: "unknown_cluster")
        /// Manual: the table is already on that cluster.
        public static let alreadyActive = Code(rawValue: "already_active")

        /// The stored name.
        public var description: String { rawValue }
    }

    /// The machine-readable reason.
    public var code: Code
    /// The reason for humans, with the numbers that led to it.
    public var text: String

    /// Creates a reason.
    public init(_ code: Code, _ text: String) {
        self.code = code
        self.text = text
    }

    /// `code: text`.
    public var description: String { "\(code): \(text)" }
}
