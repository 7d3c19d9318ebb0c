import HealthProbe
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Remembers, per cluster, the last time any of its MetaServers answered any probe of this
/// instance's prober: the latest probe round whose verdict is not
/// ``ClusterVerdict/Reason/noMetaAnswered``. The prober's history is bounded, so the tracker folds
/// every snapshot it is shown into a running maximum.
final class LastAliveTracker: Sendable {
    private let lastAlive = Mutex<[String: Date]>([:])

    /// Creates an empty tracker.
    init() {}

    /// Folds `snapshot` in and returns the last-alive time per cluster it knows.
    @discardableResult
    func update(_ snapshot: HealthSnapshot) -> [String: Date] {
        var seen: [String: Date] = [:]
        for (name, cluster) in snapshot.clusters {
            let answered = cluster.history.verdicts.last { $0.verdict.reason != .noMetaAnswered }
            if let at = answered?.at {
                seen[name] = at
            }
        }
        return lastAlive.withLock { known in
            known.merge(seen) { max($0, $1) }
            return known
        }
    }
}
