import PegasusWire
import RouteModel

/// Receives upstream events, for metrics and logs. Called on event loops: keep it cheap.
public protocol UpstreamObserver: Sendable {
    /// A MetaServer answered a query (not with a forward) after `seconds`.
    func upstreamAnswered(cluster: String, meta: String, seconds: Double)
    /// Asking a MetaServer failed.
    func upstreamFailed(cluster: String, meta: String, code: UpstreamError.Code)
    /// A MetaServer said it is not the leader; `to` is its hint.
    func forwarded(cluster: String, from: String, to: String?)
    /// A query joined an identical one already in flight instead of going upstream.
    func coalesced(cluster: String)
    /// A query was answered with an identical call's recent reply (`meta.coalesce_window`) instead
    /// of going upstream.
    func replyReused(cluster: String)
    /// A query went upstream (after coalescing).
    func sentUpstream(cluster: String)
    /// The observer of one cluster's per-query events, made once per cluster client (see
    /// ``ClusterUpstreamObserver``). The default passes them on to the methods above.
    func cluster(_ cluster: String) -> any ClusterUpstreamObserver
}

/// An observer that ignores everything.
public struct NoUpstreamObserver: UpstreamObserver {
    /// Creates the observer.
    public init() {}
    public func upstreamAnswered(cluster: String, meta: String, seconds: Double) {}
    public func upstreamFailed(cluster: String, meta: String, code: UpstreamError.Code) {}
    public func forwarded(cluster: String, from: String, to: String?) {}
    public func coalesced(cluster: String) {}
    public func replyReused(cluster: String) {}
    public func sentUpstream(cluster: String) {}
}

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
