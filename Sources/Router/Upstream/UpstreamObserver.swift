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
