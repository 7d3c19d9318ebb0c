import FailoverPolicy
import HealthProbe
import Logging
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The instance registry as an operator command sees it: every call re-reads the ``InstanceRecord``s
/// under the root (``ObserverReader``), so a planned switchover waits for what the instances publish
/// now.
///
/// A command never writes its own record, so it has no ZooKeeper-stamped write to anchor
/// ``ZooKeeperClock``: a record's age is judged against this host's wall clock (documented in
/// docs/failover.md; a stale record only makes the wait longer, never shorter, because a stale
/// instance is left out of "live" only after `staleAfter`, 10 s).
public struct RegistryRouteAcknowledgements: FleetRouteAcknowledgements {
    private let reader: ObserverReader

    /// Reads the records under `root` (and `peerRoots`, for observer views) with `client`.
    public init(client: ZooKeeperClient, root: String, peerRoots: [String] = [], logger: Logger) {
        reader = ObserverReader(
            client: client, root: root, peerRoots: peerRoots, ownInstance: nil, clock: ZooKeeperClock(),
            tracker: LastAliveTracker(), logger: logger)
    }

    /// The live instances under the root whose record does not route `table` to `cluster`.
    /// - Throws: ``RegistryReadError`` when a record or the registry could not be read (the caller
    ///   retries until its timeout: an unreadable instance is never taken as routing right).
    public func instancesNotRouting(table: String, to cluster: String) async throws -> [String] {
        await reader.refresh()
        let errors = reader.fleet().errors
        guard errors.isEmpty else {
            throw RegistryReadError(paths: errors.keys.sorted(), detail: errors.values.sorted().joined(separator: "; "))
        }
        return reader.instancesNotRouting(table: table, to: cluster)
    }

    /// Per cluster, what the live observers publish now (for `failover plan`).
    public func observerViews(now: Date) async -> [String: ObserverView] {
        await reader.refresh()
        let empty = HealthSnapshot(takenAt: now, clusters: [:], duplications: [], duplicationFailures: [])
        return reader.observerViews(own: empty, now: now)
    }
}

/// The instance registry could not be read completely.
public struct RegistryReadError: Error, CustomStringConvertible, Sendable {
    /// The nodes that failed.
    public var paths: [String]
    /// What ZooKeeper answered.
    public var detail: String

    public var description: String {
        "instance registry not readable (\(paths.joined(separator: ", "))): \(detail)"
    }
}
