import Logging
import NIOCore
import PegasusWire

/// Every upstream cluster client of one event loop, plus coalescing of identical queries in flight.
///
/// Loop-bound: created and used only on `eventLoop`, so the data path takes no locks.
final class LoopUpstreams {
    private struct InflightKey: Hashable {
        var cluster: ClusterRoute
        var name: String
        var args: ByteBuffer
    }

    private let eventLoop: any EventLoop
    private let settings: UpstreamSettings
    private let observer: any UpstreamObserver
    private let logger: Logger
    private let seqids = SeqidSource()
    private var clients: [ClusterRoute: MetaClusterClient] = [:]
    private var inflight: [InflightKey: EventLoopFuture<ResponseFrame>] = [:]
    private var routeLoads: [String: EventLoopFuture<Route>] = [:]

    init(eventLoop: any EventLoop, settings: UpstreamSettings, observer: any UpstreamObserver, logger: Logger) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.observer = observer
        self.logger = logger
    }

    /// Sends a request to `cluster`, sharing the upstream call with an identical one already in
    /// flight on this loop (same cluster, RPC name and args bytes, i.e. same table and partitions).
    func query(
        cluster: ClusterRoute,
        name: String,
        args: ByteBuffer,
        deadline: NIODeadline,
        followsForwards: Bool
    ) -> EventLoopFuture<ResponseFrame> {
        guard settings.coalesce else {
            observer.sentUpstream(cluster: cluster.name)
            return client(for: cluster).query(name: name, args: args, deadline: deadline, followsForwards: followsForwards)
        }
        let key = InflightKey(cluster: cluster, name: name, args: args)
        if let joined = inflight[key] {
            observer.coalesced(cluster: cluster.name)
            return joined
        }
        observer.sentUpstream(cluster: cluster.name)
        let future = client(for: cluster).query(name: name, args: args, deadline: deadline, followsForwards: followsForwards)
        inflight[key] = future
        future.assumeIsolated().whenComplete { [self] _ in
            inflight.removeValue(forKey: key)
        }
        return future
    }

    /// Loads the route of `table` with `load`, sharing one load among the queries of this loop
    /// that wait for the same uncached table. Their forwards then run in one tick, when the load
    /// completes, so they also share one upstream query (`query(cluster:...)`): a herd of first
    /// queries for a cold table costs one route load and one upstream query per event loop.
    func routeLoad(
        table: String, _ load: () -> EventLoopFuture<Route>
    ) -> EventLoopFuture<Route> {
        if let pending = routeLoads[table] { return pending }
        let future = load()
        routeLoads[table] = future
        future.assumeIsolated().whenComplete { [self] _ in
            routeLoads.removeValue(forKey: table)
        }
        return future
    }

    /// The believed leader of `cluster` on this loop, if known.
    func leader(of cluster: ClusterRoute) -> MetaAddress? {
        clients[cluster]?.leader
    }

    /// Closes every upstream connection of this loop.
    func close() {
        for client in clients.values { client.close() }
        clients.removeAll()
    }

    private func client(for cluster: ClusterRoute) -> MetaClusterClient {
        if let existing = clients[cluster] { return existing }
        let created = MetaClusterClient(
            cluster: cluster, eventLoop: eventLoop, settings: settings, seqids: seqids, observer: observer,
            logger: logger)
        clients[cluster] = created
        return created
    }
}

@available(*, unavailable)
extension LoopUpstreams: Sendable {}
