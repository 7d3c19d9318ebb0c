#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import PegasusWire

/// What the primary cluster's leader last said about one table's duplication to one backup cluster:
/// the input of a "would failing over lose data" judgement (docs/pegasus-reference.md §12.4).
///
/// Lag is `last_committed_decree - confirmed_decree` per partition, from the duplication query's
/// `partition_states` or, when the server has none (v2.4/v2.5), from the primaries' own
/// `/replica/duplication` report (``TableDuplications/replicaLag``); ``lagSource`` says which.
/// ``maxLag`` is the largest over all partitions `0..<partitionCount`, and `nil` (**unknown, never
/// zero**) when any partition is missing, reports `-1`, or the partition count or per-partition
/// states are not available.
///
/// `Codable` (for ``HealthSnapshot``) with the status and fail mode as their IDL names
/// (``PegasusWire/DuplicationStatus/idlName``), the other keys as the property names.
public struct DuplicationObservation: Sendable, Hashable, Codable {
    /// Why ``maxLag`` is unknown.
    public enum LagUnknownReason: String, Sendable, Hashable, Codable {
        /// The table has no duplication to this backup cluster.
        case noDuplication
        /// The server does not report `partition_states` (v2.5.0 and older).
        case noPartitionStates
        /// The table's partition count is not known, so missing partitions cannot be ruled out.
        case partitionCountUnknown
        /// At least one partition is absent from `partition_states`.
        case partitionMissing
        /// At least one partition reports `-1` (not synced since the meta leader started).
        case partitionNotSynced
        /// At least one partition's primary ReplicaServer did not answer `/replica/duplication`.
        case replicaNotAnswered
    }

    /// Where the per-partition lag came from (docs/pegasus-reference.md §12.4).
    public enum LagSource: String, Sendable, Hashable, Codable {
        /// The duplication query's `partition_states` (Pegasus 2.6/master).
        case partitionStates = "partition_states"
        /// Each primary ReplicaServer's `GET /replica/duplication?appid=N` (Pegasus 2.4/2.5).
        case replicaHTTP = "replica_http"
    }

    /// One partition's lag as a source reports it.
    private enum PartitionLag {
        case known(Int64)
        case missing
        case notSynced
        case replicaNotAnswered
    }

    /// The primary cluster name.
    public var primaryCluster: String
    /// The table on the primary cluster.
    public var table: String
    /// The backup cluster name (a duplication's `remote`).
    public var backupCluster: String
    /// When the leader's answer was received.
    public var observedAt: Date
    /// The table's app id on the primary.
    public var appId: Int32?
    /// The duplication id; `nil` when the table has no duplication to this backup.
    public var dupid: Int32?
    /// The duplication status; `nil` when there is no duplication.
    public var status: DuplicationStatus?
    /// The fail mode, when reported.
    public var failMode: DuplicationFailMode?
    /// The table name on the backup, when reported (master only).
    public var remoteAppName: String?
    /// The table's partition count, when known.
    public var partitionCount: Int?
    /// The largest per-partition lag in mutations (decrees); `nil` means unknown.
    public var maxLag: Int64?
    /// Why ``maxLag`` is `nil`; `nil` when it is known.
    public var lagUnknownReason: LagUnknownReason?
    /// The partitions whose lag is unknown (missing or `-1`), ascending.
    public var unknownLagPartitions: [Int32]
    /// Where the per-partition lag came from; `nil` when there was none to read.
    public var lagSource: LagSource?

    /// Derives the observation for one backup from a leader's report.
    ///
    /// When several duplications of the table target `backupCluster`, the newest (largest dupid) that
    /// is not `DS_REMOVED` is used.
    /// - Parameters:
    ///   - primaryCluster: The primary cluster name.
    ///   - table: The table on the primary.
    ///   - backupCluster: The backup cluster name.
    ///   - report: The leader's duplication report.
    ///   - observedAt: When the report was received.
    public init(
        primaryCluster: String,
        table: String,
        backupCluster: String,
        report: TableDuplications,
        observedAt: Date
    ) {
        self.primaryCluster = primaryCluster
        self.table = table
        self.backupCluster = backupCluster
        self.observedAt = observedAt
        self.appId = report.appId
        self.partitionCount = report.partitionCount
        self.unknownLagPartitions = []
        let entry = report.entries
            .filter { $0.remote == backupCluster && $0.status != .removed }
            .max { $0.dupid < $1.dupid }
        guard let entry else {
            self.lagUnknownReason = .noDuplication
            return
        }
        self.dupid = entry.dupid
        self.status = entry.status
        self.failMode = entry.failMode
        self.remoteAppName = entry.remoteAppName
        guard let partitionLag = Self.partitionLag(entry: entry, report: report) else {
            self.lagUnknownReason = .noPartitionStates
            return
        }
        self.lagSource = partitionLag.source
        guard let partitionCount = report.partitionCount, partitionCount > 0 else {
            self.lagUnknownReason = .partitionCountUnknown
            return
        }
        var maxLag: Int64 = 0
        var reason: LagUnknownReason?
        for index in 0..<Int32(clamping: partitionCount) {
            switch partitionLag.lag(index) {
            case .known(let lag):
                maxLag = max(maxLag, lag)
                continue
            case .replicaNotAnswered:
                reason = .replicaNotAnswered
            case .missing:
                reason = reason == .replicaNotAnswered ? reason : .partitionMissing
            case .notSynced:
                reason = reason ?? .partitionNotSynced
            }
            self.unknownLagPartitions.append(index)
        }
        if let reason {
            self.lagUnknownReason = reason
        } else {
            self.maxLag = maxLag
        }
    }

    /// How to read `entry`'s per-partition lag: its `partition_states` when present, else the
    /// replicas' report; `nil` when the report has neither.
    private static func partitionLag(
        entry: DuplicationEntry,
        report: TableDuplications
    ) -> (source: LagSource, lag: (Int32) -> PartitionLag)? {
        if let states = entry.partitionStates {
            return (.partitionStates, { index in
                guard let state = states[index] else { return .missing }
                return state.lag.map(PartitionLag.known) ?? .notSynced
            })
        }
        guard let replicaLag = report.replicaLag else { return nil }
        let lags = replicaLag.partitionLags(dupid: entry.dupid)
        return (.replicaHTTP, { index in
            guard let lag = lags[index] else {
                return replicaLag.primaryFailed(partition: index) ? .replicaNotAnswered : .missing
            }
            return lag >= 0 ? .known(lag) : .notSynced
        })
    }
}

extension DuplicationObservation {
    private enum CodingKeys: String, CodingKey {
        case primaryCluster, table, backupCluster, observedAt, appId, dupid, status, failMode, remoteAppName
        case partitionCount, maxLag, lagUnknownReason, unknownLagPartitions, lagSource
    }

    /// Decodes the form ``encode(to:)`` writes.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.primaryCluster = try container.decode(String.self, forKey: .primaryCluster)
        self.table = try container.decode(String.self, forKey: .table)
        self.backupCluster = try container.decode(String.self, forKey: .backupCluster)
        self.observedAt = try container.decode(Date.self, forKey: .observedAt)
        self.appId = try container.decodeIfPresent(Int32.self, forKey: .appId)
        self.dupid = try container.decodeIfPresent(Int32.self, forKey: .dupid)
        self.status = try container.decodeIfPresent(String.self, forKey: .status).map(DuplicationStatus.init(idlName:))
        self.failMode = try container.decodeIfPresent(String.self, forKey: .failMode)
            .map(DuplicationFailMode.init(idlName:))
        self.remoteAppName = try container.decodeIfPresent(String.self, forKey: .remoteAppName)
        self.partitionCount = try container.decodeIfPresent(Int.self, forKey: .partitionCount)
        self.maxLag = try container.decodeIfPresent(Int64.self, forKey: .maxLag)
        self.lagUnknownReason = try container.decodeIfPresent(LagUnknownReason.self, forKey: .lagUnknownReason)
        self.unknownLagPartitions = try container.decode([Int32].self, forKey: .unknownLagPartitions)
        self.lagSource = try container.decodeIfPresent(LagSource.self, forKey: .lagSource)
    }

    /// Encodes every property under its name, leaving out those that are `nil`; the status and fail
    /// mode as IDL names.
    /// - Parameter encoder: The encoder.
    /// - Throws: `EncodingError`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.primaryCluster, forKey: .primaryCluster)
        try container.encode(self.table, forKey: .table)
        try container.encode(self.backupCluster, forKey: .backupCluster)
        try container.encode(self.observedAt, forKey: .observedAt)
        try container.encodeIfPresent(self.appId, forKey: .appId)
        try container.encodeIfPresent(self.dupid, forKey: .dupid)
        try container.encodeIfPresent(self.status?.idlName, forKey: .status)
        try container.encodeIfPresent(self.failMode?.idlName, forKey: .failMode)
        try container.encodeIfPresent(self.remoteAppName, forKey: .remoteAppName)
        try container.encodeIfPresent(self.partitionCount, forKey: .partitionCount)
        try container.encodeIfPresent(self.maxLag, forKey: .maxLag)
        try container.encodeIfPresent(self.lagUnknownReason, forKey: .lagUnknownReason)
        try container.encode(self.unknownLagPartitions, forKey: .unknownLagPartitions)
        try container.encodeIfPresent(self.lagSource, forKey: .lagSource)
    }
}
