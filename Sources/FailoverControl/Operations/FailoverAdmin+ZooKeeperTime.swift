import HealthProbe
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Dating what another host published by ZooKeeper's clock, not by that host's wall clock.
extension FailoverAdmin {
    /// ZooKeeper's time now (ms since the epoch): the `mtime` of a write to ``FailoverPaths/clock``
    /// (created when absent). `nil` when the write fails (no permission, no connection): callers then
    /// fall back to this host's clock.
    func zooKeeperNow() async -> Int64? {
        do throws(ZooKeeperError) {
            return try await client.set(paths.clock, data: []).mtime
        } catch where error.code == .noNode {
            do throws(ZooKeeperError) {
                do throws(ZooKeeperError) {
                    _ = try await client.create(paths.clock, data: [], acl: failoverACL, createParents: true)
                } catch where error.code == .nodeExists {}
                return try await client.set(paths.clock, data: []).mtime
            } catch {
                return nil
            }
        } catch {
            return nil
        }
    }

    /// The published health snapshot re-dated on this host's clock (``redated(_:writtenAt:zooKeeperNow:now:)``);
    /// `nil` when none is published or it does not decode.
    func redatedHealth(now: Date) async throws(FailoverAdminError) -> HealthSnapshot? {
        guard let (data, stat) = try await read(paths.health), let snapshot = try? HealthSnapshot(jsonBytes: data)
        else { return nil }
        return Self.redated(snapshot, writtenAt: stat.mtime, zooKeeperNow: await zooKeeperNow(), now: now)
    }

    /// The published health snapshot, never younger than its node: the node's `mtime` (ZooKeeper's
    /// clock) says how long ago it was written; when `takenAt`, read on this host's clock, claims
    /// less (the decider's clock runs ahead of this host's), `takenAt` becomes `now` minus the node's
    /// age and every other date moves back by the same amount. A snapshot that looks older than its
    /// node (the decider's clock behind, or old data re-published) stays as it is: the operator
    /// guard's ages (`health_max_age`, the lag guard's `max_lag_age`) may then be too strict, never
    /// too lenient. Unchanged when ZooKeeper's time is unknown.
    static func redated(_ snapshot: HealthSnapshot, writtenAt mtime: Int64, zooKeeperNow: Int64?, now: Date)
        -> HealthSnapshot
    {
        guard let zooKeeperNow else { return snapshot }
        let age = Double(max(zooKeeperNow - mtime, 0)) / 1000
        let shift = now.addingTimeInterval(-age).timeIntervalSince(snapshot.takenAt)
        guard shift < 0 else { return snapshot }
        var moved = snapshot
        moved.takenAt = snapshot.takenAt.addingTimeInterval(shift)
        moved.clusters = snapshot.clusters.mapValues { cluster in
            var cluster = cluster
            cluster.since = cluster.since?.addingTimeInterval(shift)
            return cluster
        }
        for index in moved.duplications.indices {
            moved.duplications[index].observedAt = moved.duplications[index].observedAt.addingTimeInterval(shift)
        }
        return moved
    }
}
