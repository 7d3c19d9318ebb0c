import Foundation

/// Everything a ``FailoverPolicyKind`` may look at to decide for one table. A pure value:
/// the caller fills it from the prober, the duplication reader and the stored route, and passes `now`.
public struct DecisionInput: Hashable, Sendable {
    /// The table's name.
    public var table: String
    /// The table's declared primary cluster.
    public var primary: String
    /// The declared backup clusters, most preferred first.
    public var backups: [String]
    /// Health per cluster name; a missing cluster counts as ``ClusterHealth/State/unknown``.
    public var health: [String: ClusterHealth]
    /// Duplication from the primary to each backup, keyed by backup name; missing = not duplicating.
    public var duplications: [String: DuplicationView]
    /// Reverse duplication from each backup to the primary, keyed by backup name; missing = unknown.
    public var reverseDuplications: [String: DuplicationView]
    /// Where the table is routed now.
    public var current: EffectiveState
    /// Automation paused for this table.
    public var tablePaused: Bool
    /// Automation paused for every table.
    public var globallyPaused: Bool
    /// The decision time.
    public var now: Date
    /// What the live observers see per cluster name (`switch.quorum`, `switch.replica_lease`); a
    /// missing cluster counts as the decider alone seeing ``health(of:)`` (see ``observers(of:)``).
    public var observers: [String: ObserverView]
    /// How many clusters the decider's own prober probes (for observer suspicion); 0 = unknown.
    public var probedClusters: Int
    /// How many of those the decider's own prober sees *down*.
    public var downClusters: Int
    /// Clusters whose copy of the table denies client requests: cluster name → its
    /// `replica.deny_client_request` app env (`timeout*all`, `reconfig*write`, …). No switch goes to
    /// such a cluster (``DecisionReason/Code/targetDeniesRequests``), unless an operator forces it.
    /// Empty = none known to deny.
    public var deniedTargets: [String: String] = [:]
    /// Backups whose duplication from the primary is not observed **yet** (a route just added), with
    /// when the first read is due: refused as ``DecisionReason/Code/duplicationNotObserved`` rather than
    /// "no duplication". Empty = none pending.
    public var pendingDuplicationReads: [String: PendingRead] = [:]

    /// A duplication not observed yet: when its first read is due, or what it waits for.
    public struct PendingRead: Hashable, Sendable {
        /// When the first read is due; `nil` when unknown.
        public var dueAt: Date?
        /// What the read waits for when ``dueAt`` is unknown.
        public var waitingFor: String?

        /// Creates a pending read.
        public init(dueAt: Date? = nil, waitingFor: String? = nil) {
            self.dueAt = dueAt
            self.waitingFor = waitingFor
        }
    }

    /// Creates a decision input.
    public init(
        table: String,
        primary: String,
        backups: [String],
        health: [String: ClusterHealth],
        duplications: [String: DuplicationView] = [:],
        reverseDuplications: [String: DuplicationView] = [:],
        current: EffectiveState = .initial,
        tablePaused: Bool = false,
        globallyPaused: Bool = false,
        now: Date,
        observers: [String: ObserverView] = [:],
        probedClusters: Int = 0,
        downClusters: Int = 0
    ) {
        self.observers = observers
        self.probedClusters = probedClusters
        self.downClusters = downClusters
        self.table = table
        self.primary = primary
        self.backups = backups
        self.health = health
        self.duplications = duplications
        self.reverseDuplications = reverseDuplications
        self.current = current
        self.tablePaused = tablePaused
        self.globallyPaused = globallyPaused
        self.now = now
    }

    /// The cluster the table is routed to now: the primary, or the backup it is on.
    public var effectiveCluster: String {
        switch current.placement {
        case .onPrimary: primary
        case .onBackup(let cluster, _, _, _): cluster
        }
    }

    /// The health of `cluster`, ``ClusterHealth/State/unknown`` since `now` when the prober gave none.
    public func health(of cluster: String) -> ClusterHealth {
        health[cluster] ?? ClusterHealth(state: .unknown, since: now)
    }

    /// What the live observers see of `cluster`; the decider alone (its ``health(of:)``) when unknown.
    public func observers(of cluster: String) -> ObserverView {
        observers[cluster] ?? .single(health(of: cluster))
    }

    /// The ``DecisionReason/Code/targetDeniesRequests`` reason when the table on `cluster` denies
    /// client requests (``deniedTargets``), else `nil`.
    public func denialReason(of cluster: String) -> DecisionReason? {
        guard let value = deniedTargets[cluster] else {
            return nil
        }
        return DecisionReason(
            .targetDeniesRequests,
            "\(cluster): table \(table) denies client requests (replica.deny_client_request=\(value))"
        )
    }

    /// The ``DecisionReason/Code/duplicationNotObserved`` reason when the duplication to `backup` is
    /// not observed yet but its first read is pending, else `nil`.
    public func notObservedYetReason(of backup: String) -> DecisionReason? {
        guard duplications[backup] == nil, let pending = pendingDuplicationReads[backup] else {
            return nil
        }
        var text = "\(primary) → \(backup): duplication not observed yet"
        if let due = pending.dueAt {
            let wait = due.timeIntervalSince(now)
            text += wait > 0 ? "; first duplication read due in \(PolicyDuration.format(.seconds(Int64(wait.rounded(.up)))))"
                : "; first duplication read due now"
        } else if let waitingFor = pending.waitingFor {
            text += "; first duplication read waits for \(waitingFor)"
        }
        return DecisionReason(.duplicationNotObserved, text)
    }

    /// The ``DecisionReason/Code/paused`` reason when automation is paused, else `nil`.
    var pauseReason: DecisionReason? {
        if globallyPaused {
            return DecisionReason(.paused, "automation paused globally")
        }
        if tablePaused {
            return DecisionReason(.paused, "automation paused for table \(table)")
        }
        return nil
    }
}
