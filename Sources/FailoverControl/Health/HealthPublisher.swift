import HealthProbe
import Logging
import PegasusWire
import RouteModel
import Router
import Synchronization
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Publishes the decider's ``HealthSnapshot`` at ``FailoverPaths/health`` for `failover status`
/// and the guard of manual switches.
///
/// The node holds exactly ``HealthSnapshot/jsonBytes()`` (sorted keys, ISO 8601 UTC dates with
/// milliseconds; decode with ``HealthSnapshot/init(jsonBytes:)``). If that exceeds
/// ``maximumBytes``, the per-cluster verdict/transition histories are left out. Writes are
/// throttled: at most one every ``Throttle/minimumInterval``, and only when the health
/// (``HealthDigest``) changed or the node is older than ``Throttle/maximumAge``, so duplication
/// observation times stay fresh enough for the guard.
final class HealthPublisher: Sendable {
    /// When to write (pure). Times are on the monotonic clock: a wall-clock step neither stops nor floods
    /// the writes.
    struct Throttle: Sendable {
        /// The smallest pause between two writes.
        var minimumInterval: Duration = .seconds(2)
        /// The oldest the node may get while nothing changes.
        var maximumAge: Duration = .seconds(10)
        private var last: (digest: HealthDigest, at: ContinuousClock.Instant)?

        /// Whether a snapshot with `digest` should be written at `now`.
        func isDue(_ digest: HealthDigest, at now: ContinuousClock.Instant) -> Bool {
            guard let last else { return true }
            let elapsed = now - last.at
            guard elapsed >= minimumInterval else { return false }
            return digest != last.digest || elapsed >= maximumAge
        }

        /// Notes a successful write.
        mutating func published(_ digest: HealthDigest, at now: ContinuousClock.Instant) {
            last = (digest, now)
        }
    }

    /// The largest node written with histories; ZooKeeper's default node limit is 1 MiB.
    static let maximumBytes = 512 * 1024

    private let client: ZooKeeperClient
    private let path: String
    private let logger: Logger
    private let throttle: Mutex<Throttle>
    private let writeFailures: StateWriteFailures

    init(
        client: ZooKeeperClient, path: String, throttle: Throttle = Throttle(), writeFailures: StateWriteFailures,
        logger: Logger
    ) {
        self.writeFailures = writeFailures
        self.client = client
        self.path = path
        self.logger = logger
        self.throttle = Mutex(throttle)
    }

    /// Writes `snapshot` when the throttle allows (judged on the monotonic clock).
    /// - Parameters:
    ///   - now: The decision time (unused by the throttle; kept for the caller's tick).
    ///   - fence: The decider's fence: the write is one multi-op that also checks the decider's election
    ///     node, so a paused ex-decider cannot overwrite the new decider's health. `nil`: unfenced.
    /// - Returns: `true` when the fence rejected the write (nothing was written).
    @discardableResult
    func publishIfDue(_ snapshot: HealthSnapshot, now _: Date, fence: DeciderFence? = nil) async -> Bool {
        let now = ContinuousClock.now
        let digest = HealthDigest(snapshot)
        guard throttle.withLock({ $0.isDue(digest, at: now) }) else { return false }
        let data: [UInt8]
        do {
            data = try Self.encode(snapshot)
        } catch {
            logger.error("Encoding the health snapshot failed", metadata: [FailoverLoggingKeys.error: "\(error)"])
            return false
        }
        do throws(ZooKeeperError) {
            if let fence {
                try await fencedWrite(data, fence: fence)
            } else {
                do throws(ZooKeeperError) {
                    _ = try await client.set(path, data: data)
                } catch where error.code == .noNode {
                    try await client.create(path, data: data, createParents: true)
                }
            }
            throttle.withLock { $0.published(digest, at: now) }
            writeFailures.succeeded(.health)
        } catch {
            if fence != nil, error.failedOperation == 0 || error.code == .sessionExpired {
                return true
            }
            writeFailures.failed(.health, path: path, error: error)
        }
        return false
    }

    /// One multi-op: the fence's node exists, and the node is set (or created, parents first).
    private func fencedWrite(_ data: [UInt8], fence: DeciderFence) async throws(ZooKeeperError) {
        let check = ZooKeeperOperation.check(path: fence.electionNode, version: -1)
        do throws(ZooKeeperError) {
            try await client.multi([check, .set(path: path, data: data, version: -1)])
        } catch where error.failedOperation == 1 && error.code == .noNode {
            do throws(ZooKeeperError) {
                try await client.multi([check, .create(path: path, data: data)])
            } catch where error.failedOperation == 1 && error.code == .noNode {
                // The parent is missing too (a multi cannot create parents): make it, then once more.
                let parent = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
                do throws(ZooKeeperError) {
                    try await client.create(parent, createParents: true)
                } catch where error.code == .nodeExists {}
                try await client.multi([check, .create(path: path, data: data)])
            }
        }
    }

    /// The snapshot last published (by any decider); `nil` when absent or unreadable.
    func readPublished() async -> HealthSnapshot? {
        guard let (data, _) = try? await client.get(path) else { return nil }
        return try? HealthSnapshot(jsonBytes: data)
    }

    /// The node's bytes; without histories when too large.
    static func encode(_ snapshot: HealthSnapshot) throws -> [UInt8] {
        let full = try snapshot.jsonBytes()
        guard full.count > maximumBytes else { return full }
        var trimmed = snapshot
        for name in trimmed.clusters.keys {
            trimmed.clusters[name]?.history = ClusterHistory()
        }
        return try trimmed.jsonBytes()
    }
}

/// The parts of a ``HealthSnapshot`` whose change is worth publishing at once: cluster states,
/// leaders and tables denying client requests, and each duplication's status and lag (not probe
/// latencies or observation times).
struct HealthDigest: Hashable, Sendable {
    private struct Cluster: Hashable, Sendable {
        var state: HealthStatus
        /// The last transition's wall time as recorded when it happened (a snapshot's `since` is
        /// derived from the monotonic clock at snapshot time, so it jitters by microseconds).
        var lastTransition: Date?
        var leader: String?
        var deniedTables: [String: String]?
    }

    private struct Duplication: Hashable, Sendable {
        var primary: String
        var table: String
        var backup: String
        var status: String?
        var failMode: String?
        var maxLag: Int64?
        var unknown: String?
        var source: String?
    }

    private let clusters: [String: Cluster]
    private let duplications: [Duplication]
    private let failures: Int

    init(_ snapshot: HealthSnapshot) {
        clusters = snapshot.clusters.mapValues {
            Cluster(
                state: $0.state, lastTransition: $0.history.transitions.last?.at, leader: $0.leader,
                deniedTables: $0.deniedTables)
        }
        duplications = snapshot.duplications.map {
            Duplication(
                primary: $0.primaryCluster,
                table: $0.table,
                backup: $0.backupCluster,
                status: $0.status?.idlName,
                failMode: $0.failMode?.idlName,
                maxLag: $0.maxLag,
                unknown: $0.lagUnknownReason?.rawValue,
                source: $0.lagSource?.rawValue
            )
        }
        failures = snapshot.duplicationFailures.count
    }
}
