import Foundation

/// The failover state of one table, stored as JSON in ZooKeeper at
/// `<root>/.meta-proxy/failover/<table>` and shown by `failover status`.
///
/// Schema (keys sorted, dates ISO 8601 UTC, see ``FailoverJSON``):
/// ```json
/// {
///   "active_cluster": "pegasus-b",          // where the table is routed now
///   "decided_by": "proxy-1",                // process or operator of the last change
///   "history": [ DecisionRecord, ... ],     // oldest first, at most 20 (historyLimit); default []
///   "lag_decrees": 12,                      // lag at the last switch; absent when unknown
///   "mode": "failover",                     // primary | failover | drill | planned
///   "paused": false,                        // automation paused for this table; default false
///   "pause_changed_at": "...",              // when `paused` was last set or cleared; absent if never
///   "pause_changed_by": "cli:alice@ops1 (alice, zk digest:alice, ops1 pid 4242)",  // who; absent if never
///   "reason": {"code": "effective_down", "text": "..."},
///   "since": "2025-01-01T10:00:00Z",        // when active_cluster became active
///   "table": "orders"
/// }
/// ```
/// Decoding ignores unknown keys; `history` and `paused` may be absent. Dates with fractional
/// seconds are accepted.
public struct EffectiveRoute: Codable, Hashable, Sendable {
    /// Why the table is where it is.
    public enum Mode: String, Codable, Hashable, Sendable {
        /// On its primary.
        case primary
        /// On a backup after an automatic or manual failover.
        case failover
        /// On a backup for a failover drill.
        case drill
        /// On another cluster after a planned migration.
        case planned
    }

    /// The default bound of ``history``.
    public static let defaultHistoryLimit = 20

    /// The table.
    public var table: String
    /// The cluster the table is routed to.
    public var activeCluster: String
    /// Why.
    public var reason: DecisionReason
    /// Since when.
    public var since: Date
    /// Who made the last change.
    public var decidedBy: String
    /// Lag at the last switch, if known.
    public var lagDecrees: Int?
    /// The mode.
    public var mode: Mode
    /// Automation paused for this table.
    public var paused: Bool
    /// The last switches, oldest first.
    public var history: [DecisionRecord]
    /// Who last paused or resumed automation for the table (operator name, OS user, ZooKeeper
    /// identity, host, pid), for the audit; `nil` if nobody ever did.
    public var pauseChangedBy: String?
    /// When automation was last paused or resumed for the table.
    public var pauseChangedAt: Date?

    enum CodingKeys: String, CodingKey {
        case table, reason, since, mode, paused, history
        case pauseChangedBy = "pause_changed_by"
        case pauseChangedAt = "pause_changed_at"
        case activeCluster = "active_cluster"
        case decidedBy = "decided_by"
        case lagDecrees = "lag_decrees"
    }

    /// Creates a document.
    public init(
        table: String,
        activeCluster: String,
        reason: DecisionReason,
        since: Date,
        decidedBy: String,
        lagDecrees: Int? = nil,
        mode: Mode,
        paused: Bool = false,
        history: [DecisionRecord] = []
    ) {
        self.table = table
        self.activeCluster = activeCluster
        self.reason = reason
        self.since = since
        self.decidedBy = decidedBy
        self.lagDecrees = lagDecrees
        self.mode = mode
        self.paused = paused
        self.history = history
    }

    /// Decodes a document; `paused` and `history` default to `false` and `[]`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        table = try container.decode(String.self, forKey: .table)
        activeCluster = try container.decode(String.self, forKey: .activeCluster)
        reason = try container.decode(DecisionReason.self, forKey: .reason)
        since = try container.decode(Date.self, forKey: .since)
        decidedBy = try container.decode(String.self, forKey: .decidedBy)
        lagDecrees = try container.decodeIfPresent(Int.self, forKey: .lagDecrees)
        mode = try container.decode(Mode.self, forKey: .mode)
        paused = try container.decodeIfPresent(Bool.self, forKey: .paused) ?? false
        history = try container.decodeIfPresent([DecisionRecord].self, forKey: .history) ?? []
        pauseChangedBy = try container.decodeIfPresent(String.self, forKey: .pauseChangedBy)
        pauseChangedAt = try container.decodeIfPresent(Date.self, forKey: .pauseChangedAt)
    }

    /// Applies a switch: the record's target becomes active and the record joins the history,
    /// which keeps only the newest `historyLimit` entries.
    /// - Parameters:
    ///   - record: The switch.
    ///   - mode: The new mode (``Mode/primary`` after a failback).
    ///   - historyLimit: The bound of ``history``; default 20.
    public mutating func apply(_ record: DecisionRecord, mode: Mode, historyLimit: Int = defaultHistoryLimit) {
        activeCluster = record.to
        reason = record.reason
        since = record.at
        decidedBy = record.decidedBy
        lagDecrees = record.lagDecrees
        self.mode = mode
        history.append(record)
        let excess = history.count - max(historyLimit, 0)
        if excess > 0 {
            history.removeFirst(excess)
        }
    }

    /// The decision input's view of this document: on the primary or on a backup (automatic when the
    /// newest history record is automatic), last switched at the newest record's time.
    /// - Parameter primary: The table's declared primary.
    public func effectiveState(primary: String) -> EffectiveState {
        let last = history.last
        guard activeCluster != primary else {
            return EffectiveState(placement: .onPrimary, lastSwitchAt: last?.at)
        }
        let automatic = last?.trigger == .automatic && last?.to == activeCluster
        return EffectiveState(
            placement: .onBackup(cluster: activeCluster, since: since, reason: reason, automatic: automatic),
            lastSwitchAt: last?.at
        )
    }

    /// The JSON document, as ``FailoverJSON/makeEncoder()`` writes it.
    /// - Throws: ``FailoverDocumentError`` naming the table.
    public func jsonData() throws(FailoverDocumentError) -> Data {
        do {
            return try FailoverJSON.makeEncoder().encode(self)
        } catch {
            throw FailoverDocumentError(code: .encoding, subject: table, detail: String(describing: error))
        }
    }

    /// Decodes a document read from ZooKeeper.
    /// - Parameters:
    ///   - data: The node's bytes.
    ///   - path: The node path, for the error.
    /// - Throws: ``FailoverDocumentError`` naming the path.
    public static func decode(_ data: Data, path: String) throws(FailoverDocumentError) -> EffectiveRoute {
        do {
            return try FailoverJSON.makeDecoder().decode(EffectiveRoute.self, from: data)
        } catch {
            throw FailoverDocumentError(code: .decoding, subject: path, detail: String(describing: error))
        }
    }
}
