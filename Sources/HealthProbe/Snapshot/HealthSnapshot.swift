#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A point-in-time copy of everything ``HealthProber`` knows; `Codable` for `GET /failover`.
public struct HealthSnapshot: Sendable, Hashable, Codable {
    /// When the snapshot was taken.
    public var takenAt: Date
    /// Per cluster, keyed by cluster name.
    public var clusters: [String: ClusterHealthSnapshot]
    /// The last good duplication observation per (primary cluster, table, backup), sorted by those keys.
    /// Kept when the primary goes down: they are what a failover decision is judged on.
    public var duplications: [DuplicationObservation]
    /// Duplication queries that failed since the last good observation of their table, sorted.
    public var duplicationFailures: [DuplicationQueryFailure]
    /// Protected duplications not observed yet (a route just added), with when the first read is
    /// due: "not observed yet" is not "no duplication". `nil` in snapshots written before this existed.
    public var pendingDuplications: [PendingDuplicationRead]?

    /// Creates a snapshot.
    /// - Parameters:
    ///   - takenAt: When it was taken.
    ///   - clusters: Per-cluster health.
    ///   - duplications: The last good duplication observations.
    ///   - duplicationFailures: The failed duplication queries.
    ///   - pendingDuplications: The duplications not observed yet.
    public init(
        takenAt: Date,
        clusters: [String: ClusterHealthSnapshot],
        duplications: [DuplicationObservation],
        duplicationFailures: [DuplicationQueryFailure],
        pendingDuplications: [PendingDuplicationRead]? = nil
    ) {
        self.takenAt = takenAt
        self.clusters = clusters
        self.duplications = duplications
        self.duplicationFailures = duplicationFailures
        self.pendingDuplications = pendingDuplications
    }

    /// The snapshot as JSON: sorted keys, dates as ISO 8601 UTC with milliseconds.
    /// - Throws: `EncodingError` (not expected for these types).
    public func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Milliseconds.format(date))
        }
        return Array(try encoder.encode(self))
    }

    /// Decodes ``jsonBytes()`` output.
    /// - Parameter bytes: The JSON.
    /// - Throws: `DecodingError`.
    public init(jsonBytes bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Milliseconds.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
            }
            return date
        }
        self = try decoder.decode(HealthSnapshot.self, from: Data(bytes))
    }
}

/// One cluster in a ``HealthSnapshot``.
public struct ClusterHealthSnapshot: Sendable, Hashable, Codable {
    /// The cluster's rise/fall state.
    public var state: HealthStatus
    /// When the state was entered; `nil` while unknown.
    public var since: Date?
    /// The leader as last reported; `nil` when unknown.
    public var leader: String?
    /// The last round's verdict; `nil` before the first round.
    public var lastVerdict: ClusterVerdict?
    /// The last RPC probe outcome; `nil` when none ran.
    public var lastRPCOutcome: RPCProbeOutcome?
    /// Per MetaServer, keyed by `host:port`.
    public var metas: [String: MetaHealthSnapshot]
    /// Transitions within the snapshot's window (60 s by default), oldest first.
    public var recentTransitions: [HealthTransitionRecord]
    /// The bounded verdict and transition history.
    public var history: ClusterHistory
    /// Table → its `replica.deny_client_request` app env, for the tables of this cluster that deny
    /// client requests, from the leader's last table list (`RPC_CM_LIST_APPS`); `nil` when no list
    /// was read yet. A failed list keeps the previous one.
    public var deniedTables: [String: String]?
    /// When ``deniedTables`` was read.
    public var tablesListedAt: Date?

    /// Creates a cluster snapshot.
    /// - Parameters:
    ///   - state: The state.
    ///   - since: When it was entered.
    ///   - leader: The leader.
    ///   - lastVerdict: The last verdict.
    ///   - lastRPCOutcome: The last RPC outcome.
    ///   - metas: Per-meta health.
    ///   - recentTransitions: Transitions in the window.
    ///   - history: The bounded history.
    public init(
        state: HealthStatus,
        since: Date?,
        leader: String?,
        lastVerdict: ClusterVerdict?,
        lastRPCOutcome: RPCProbeOutcome?,
        metas: [String: MetaHealthSnapshot],
        recentTransitions: [HealthTransitionRecord],
        history: ClusterHistory
    ) {
        self.state = state
        self.since = since
        self.leader = leader
        self.lastVerdict = lastVerdict
        self.lastRPCOutcome = lastRPCOutcome
        self.metas = metas
        self.recentTransitions = recentTransitions
        self.history = history
    }
}

/// One MetaServer in a ``ClusterHealthSnapshot``.
public struct MetaHealthSnapshot: Sendable, Hashable, Codable {
    /// The MetaServer's rise/fall state over its `/version` results.
    public var state: HealthStatus
    /// When the state was entered; `nil` while unknown.
    public var since: Date?
    /// The last failure; `nil` when the last probe succeeded.
    public var lastError: String?
    /// The last probe's duration in milliseconds.
    public var lastLatencyMilliseconds: Double?
    /// The version from the last successful `/version`.
    public var version: String?

    /// Creates a meta snapshot.
    /// - Parameters:
    ///   - state: The state.
    ///   - since: When it was entered.
    ///   - lastError: The last failure.
    ///   - lastLatencyMilliseconds: The last probe duration.
    ///   - version: The last reported version.
    public init(
        state: HealthStatus,
        since: Date?,
        lastError: String?,
        lastLatencyMilliseconds: Double?,
        version: String?
    ) {
        self.state = state
        self.since = since
        self.lastError = lastError
        self.lastLatencyMilliseconds = lastLatencyMilliseconds
        self.version = version
    }
}

/// A duplication query that failed; the table's last good observation (if any) is kept meanwhile.
public struct DuplicationQueryFailure: Sendable, Hashable, Codable {
    /// The primary cluster name.
    public var primaryCluster: String
    /// The table.
    public var table: String
    /// When the query failed.
    public var at: Date
    /// Why.
    public var error: String

    /// Creates a failure record.
    /// - Parameters:
    ///   - primaryCluster: The primary cluster.
    ///   - table: The table.
    ///   - at: When it failed.
    ///   - error: Why.
    public init(primaryCluster: String, table: String, at: Date, error: String) {
        self.primaryCluster = primaryCluster
        self.table = table
        self.at = at
        self.error = error
    }
}

/// A protected duplication (primary, table, backup) with no observation yet.
public struct PendingDuplicationRead: Sendable, Hashable, Codable {
    /// The primary cluster name.
    public var primaryCluster: String
    /// The table.
    public var table: String
    /// The backup cluster name.
    public var backupCluster: String
    /// When the first read is due; `nil` when it waits for something else (``waitingFor``).
    public var dueAt: Date?
    /// What the first read waits for when its time is not known (the primary to be up, the decider).
    public var waitingFor: String?

    /// Creates a pending read.
    /// - Parameters:
    ///   - primaryCluster: The primary cluster.
    ///   - table: The table.
    ///   - backupCluster: The backup cluster.
    ///   - dueAt: When the first read is due.
    ///   - waitingFor: What it waits for otherwise.
    public init(primaryCluster: String, table: String, backupCluster: String, dueAt: Date? = nil, waitingFor: String? = nil) {
        self.primaryCluster = primaryCluster
        self.table = table
        self.backupCluster = backupCluster
        self.dueAt = dueAt
        self.waitingFor = waitingFor
    }
}
