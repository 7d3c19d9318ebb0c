import PegasusWire
import RouteModel

/// The events of one cluster's upstream queries, from an ``UpstreamObserver`` bound to that
/// cluster once (``UpstreamObserver/cluster(_:)``): the per-query events then find their metric
/// handles without hashing the cluster name or taking a lock. Called on event loops: keep it cheap.
public protocol ClusterUpstreamObserver: Sendable {
    /// A query went upstream (after coalescing).
    func sentUpstream()
    /// A MetaServer (`meta`, `host:port`) answered a query (not with a forward) after `seconds`.
    func upstreamAnswered(meta: String, seconds: Double)
}

extension UpstreamObserver {
    /// The observer of `cluster`'s events; by default one that passes them on to this observer's
    /// per-event methods, naming the cluster.
    public func cluster(_ cluster: String) -> any ClusterUpstreamObserver {
        ForwardingClusterObserver(observer: self, cluster: cluster)
    }
}

/// Passes one cluster's events on to an ``UpstreamObserver``.
struct ForwardingClusterObserver<Observer: UpstreamObserver>: ClusterUpstreamObserver {
    let observer: Observer
    let cluster: String

    func sentUpstream() { observer.sentUpstream(cluster: cluster) }

    func upstreamAnswered(meta: String, seconds: Double) {
        observer.upstreamAnswered(cluster: cluster, meta: meta, seconds: seconds)
    }
}
