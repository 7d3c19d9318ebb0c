import FailoverPolicy
import Logging
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension FailoverAdmin {
    /// The progress of a table's latest planned switchover, kept at ``FailoverPaths/plannedRecord(of:)``
    /// and updated at every step, so an interrupted or crashed switchover says where it stopped and
    /// who ran it; `failover planned --resume|--abort <table>` continues or undoes it from there.
    ///
    /// JSON (keys sorted, ISO 8601 dates):
    /// ```json
    /// {"by": {"host": "ops-1", "operator": "cli:alice@ops-1", "os_user": "alice", "pid": 4242,
    ///         "zk_identity": "digest:alice"},
    ///  "done": ["check", "block-writes"], "from": "pegasus-a", "message": "interrupted by SIGINT",
    ///  "previous_denial": null, "started_at": "...", "state": "interrupted", "step": "drain",
    ///  "table": "orders", "to": "pegasus-b", "updated_at": "..."}
    /// ```
    public struct PlannedRecord: Codable, Hashable, Sendable {
        /// Where a switchover stands.
        public enum State: String, Codable, Hashable, Sendable {
            /// A process is running it (it holds the lock, unless it crashed).
            case running
            /// Stopped by a signal, a lost ZooKeeper session or an unknown outcome: resume or abort it.
            case interrupted
            /// A step failed and what it had changed was undone (nothing to resume).
            case rolledBack = "rolled-back"
            /// A step failed and undoing it failed too: abort it (or act by hand).
            case failed
            /// Every step is done.
            case completed
            /// `failover planned --abort` undid it.
            case aborted

            /// Whether a new planned switchover of the table may start over this record.
            public var isFinished: Bool {
                switch self {
                case .rolledBack, .completed, .aborted: true
                case .running, .interrupted, .failed: false
                }
            }
        }

        /// The table.
        public var table: String
        /// The source cluster (active when the switchover started).
        public var from: String
        /// The target cluster.
        public var to: String
        /// The current step: in progress while ``state`` is ``State/running``, else where it stopped.
        public var step: PlannedStep
        /// The steps completed, in order.
        public var done: [PlannedStep]
        /// Where it stands.
        public var state: State
        /// The source's `replica.deny_client_request` before the switchover, restored by an abort.
        public var previousDenial: String?
        /// Who started it (a resume or abort updates it to who continued it).
        public var by: OperatorIdentity
        /// When it started.
        public var startedAt: Date
        /// When the record last changed.
        public var updatedAt: Date
        /// Why it stopped, or the last step's outcome.
        public var message: String?

        enum CodingKeys: String, CodingKey {
            case table, from, to, step, done, state, by, message
            case previousDenial = "previous_denial"
            case startedAt = "started_at"
            case updatedAt = "updated_at"
        }

        /// Whether `step` is done.
        public func isDone(_ step: PlannedStep) -> Bool {
            done.contains(step)
        }

        /// What the operator can do next, for messages: resume and abort commands, or nothing.
        public var nextAction: String {
            guard !state.isFinished else { return "" }
            return "resume with `meta-proxy failover planned --resume \(table)` or undo with "
                + "`meta-proxy failover planned --abort \(table)`"
        }
    }

    /// The table's planned switchover record and its node version, or `nil` when there is none.
    public func plannedRecord(_ table: String) async throws(FailoverAdminError) -> (record: PlannedRecord, version: Int32)? {
        let path = paths.plannedRecord(of: table)
        guard let (data, stat) = try await read(path) else {
            return nil
        }
        do {
            return (try FailoverJSON.makeDecoder().decode(PlannedRecord.self, from: Data(data)), stat.version)
        } catch {
            throw FailoverAdminError(
                .malformedNode, table: table, path: path,
                message: "planned switchover record of \(table) is unreadable: \(error); inspect and delete the node")
        }
    }

    /// Writes the record (unconditionally: the writer holds the table's planned lock). A connection
    /// loss is retried: writing the same data twice is harmless.
    func saveRecord(_ record: PlannedRecord) async throws(FailoverAdminError) {
        let path = paths.plannedRecord(of: record.table)
        let data: [UInt8]
        do {
            data = Array(try FailoverJSON.makeEncoder().encode(record))
        } catch {
            throw FailoverAdminError(.malformedNode, table: record.table, path: path, message: "encoding the record: \(error)")
        }
        try await ensureRoot()
        var lastError = ""
        for attempt in 0..<Self.connectionLossRetries {
            do {
                do {
                    _ = try await client.set(path, data: data)
                } catch where error.code == .noNode {
                    _ = try await client.create(path, data: data, acl: failoverACL, createParents: true)
                }
                return
            } catch where error.code == .nodeExists {
                continue  // created meanwhile (by our own lost create): set it next round
            } catch where Self.isConnectionLoss(error.code) {
                lastError = "\(error)"
                await Self.backOff(attempt)
            } catch {
                throw FailoverAdminError(.zooKeeper, table: record.table, path: path, message: "writing \(path): \(error)")
            }
        }
        throw FailoverAdminError(
            .zooKeeper, table: record.table, path: path, message: "writing \(path): \(lastError) (ZooKeeper unreachable)")
    }

    /// How often a write whose outcome a connection loss hid is read back before giving up.
    static let connectionLossRetries = 10

    /// Whether a request error leaves its outcome unknown (the request may have been applied).
    static func isConnectionLoss(_ code: ZooKeeperError.Code) -> Bool {
        code == .connectionLoss || code == .operationTimeout
    }

    /// Waits before the `attempt`th retry: 200 ms, 400 ms, ... at most 2 s.
    static func backOff(_ attempt: Int) async {
        try? await Task.sleep(for: .milliseconds(min(200 * (attempt + 1), 2000)))
    }
}
