import HealthProbe
import PegasusWire

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The last known duplication lag of one table's links, as the decider persisted it at
/// ``FailoverPaths/lag(of:)``: what a decider elected after the primary died (and so never read the lag
/// itself) judges the guard by.
///
/// Only known lags are written (a link whose lag is unknown keeps its last known entry). The age of an
/// entry is judged on ZooKeeper's clock: the entry was `age_at_write_ms` old when the node was written,
/// and the node's `mtime` is ZooKeeper's time of that write (see ``PersistedLagStore``).
///
/// ```json
/// {"table": "t", "written_by": "host:pid:port",
///  "links": [{"primary": "a", "backup": "b", "status": "DS_LOG", "fail_mode": "FAIL_SLOW",
///             "max_lag": 12, "observed_at_ms": 1765078212000, "age_at_write_ms": 340}]}
/// ```
struct PersistedLagDocument: Codable, Hashable, Sendable {
    /// One duplication link's last known lag.
    struct Link: Codable, Hashable, Sendable {
        /// The duplicating (source) cluster.
        var primary: String
        /// The receiving cluster.
        var backup: String
        /// The duplication status, as its IDL name (`DS_LOG`).
        var status: String
        /// The fail mode, as its IDL name; `nil` when the server did not report one.
        var failMode: String?
        /// The largest per-partition lag, in decrees.
        var maxLag: Int64
        /// When the writer read it, on the writer's clock (informational: ages use `ageAtWriteMilliseconds`).
        var observedAtMilliseconds: Int64
        /// How old the observation was when the node was written, measured on the writer's clock.
        var ageAtWriteMilliseconds: Int64

        enum CodingKeys: String, CodingKey {
            case primary, backup, status
            case failMode = "fail_mode"
            case maxLag = "max_lag"
            case observedAtMilliseconds = "observed_at_ms"
            case ageAtWriteMilliseconds = "age_at_write_ms"
        }

        /// Whether it is the link `primary → backup`.
        func matches(_ primary: String, _ backup: String) -> Bool {
            self.primary == primary && self.backup == backup
        }
    }

    /// The table.
    var table: String
    /// The instance that wrote it.
    var writtenBy: String
    /// The links, sorted by primary then backup.
    var links: [Link]

    enum CodingKeys: String, CodingKey {
        case table, links
        case writtenBy = "written_by"
    }

    /// A persisted link of a known-lag observation, or `nil` when its lag (or duplication) is unknown.
    /// - Parameter now: The writer's time of the write, for the age.
    static func link(_ observation: DuplicationObservation, now: Date) -> Link? {
        guard observation.dupid != nil, let status = observation.status, let lag = observation.maxLag, lag >= 0
        else { return nil }
        let age = max(0, now.timeIntervalSince(observation.observedAt))
        return Link(
            primary: observation.primaryCluster,
            backup: observation.backupCluster,
            status: status.idlName,
            failMode: observation.failMode?.idlName,
            maxLag: lag,
            observedAtMilliseconds: Int64((observation.observedAt.timeIntervalSince1970 * 1000).rounded()),
            ageAtWriteMilliseconds: Int64((age * 1000).rounded())
        )
    }

    /// This document with `links` replacing the entries of the same links; other entries are kept.
    func merging(_ newer: [Link], writtenBy: String) -> PersistedLagDocument {
        var merged = links.filter { old in !newer.contains { $0.matches(old.primary, old.backup) } }
        merged += newer
        merged.sort { ($0.primary, $0.backup) < ($1.primary, $1.backup) }
        return PersistedLagDocument(table: table, writtenBy: writtenBy, links: merged)
    }

    /// The JSON bytes (sorted keys).
    func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    /// Decodes the JSON bytes.
    init(jsonBytes: [UInt8]) throws {
        self = try JSONDecoder().decode(PersistedLagDocument.self, from: Data(jsonBytes))
    }

    init(table: String, writtenBy: String, links: [Link]) {
        self.table = table
        self.writtenBy = writtenBy
        self.links = links
    }
}
