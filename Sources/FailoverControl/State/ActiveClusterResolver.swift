import FailoverPolicy
import Logging
import PegasusWire
import RouteModel
import Router
import Synchronization

/// Turns a table's effective-route document into the cluster to route to, for both state stores.
///
/// The document's `active_cluster` is used when it names the route's primary or one of its declared
/// backups; anything else (a cluster the declared route no longer lists) falls back to the primary,
/// logged once per table and cluster name.
final class ActiveClusterResolver: Sendable {
    private struct Key: Hashable {
        var table: String
        var cluster: String
    }

    private let logged = Mutex<Set<Key>>([])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The cluster `document` makes active for `route`; the primary without a document.
    func cluster(for route: Route, document: EffectiveRoute?) -> ClusterRoute {
        guard let document else {
            return route.primary
        }
        if let cluster = route.cluster(named: document.activeCluster) {
            return cluster
        }
        let key = Key(table: route.table, cluster: document.activeCluster)
        let first = logged.withLock { $0.insert(key).inserted }
        if first {
            logger.warning(
                "Effective route names a cluster the declared route does not list; routing to the primary",
                metadata: [
                    FailoverLoggingKeys.table: "\(route.table)",
                    FailoverLoggingKeys.cluster: "\(document.activeCluster)",
                    FailoverLoggingKeys.to: "\(route.primary.name)",
                ]
            )
        }
        return route.primary
    }
}
