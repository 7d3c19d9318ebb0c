import Logging
import NIOCore
import PegasusWire

/// Every upstream cluster client of one event loop, plus coalescing of identical queries in flight.
///
/// Clients of clusters no query used for `idleClientTimeout` (and with nothing in flight) are
/// closed and dropped, so a route whose MetaServers change does not leave its old client and
/// connections behind.
///
/// Loop-bound: created and used only on `eventLoop`, so the data path takes no locks.
final class LoopUpstreams {
    private struct InflightKey: Hashable {
        var cluster: ClusterRoute
        var name: String
        var args: ByteBuffer
    }

    /// An upstream call that identical queries may join.
    private struct Inflight {
        var future: EventLoopFuture<ResponseFrame>
        /// The deadline of the query that started the call.
        var deadline: NIODeadline
    }

    private let eventLoop: any EventLoop
    private let settings: UpstreamSettings
    private let observer: any UpstreamObserver
    private let logger: Logger
    private let seqids = SeqidSource()
    private var clients: [ClusterRoute: MetaClusterClient] = [:]
    private var inflight: [InflightKey: Inflight] = [:]
    private var nextSweep: NIODeadline
    private var routeLoads: [String: EventLoopFuture<Route>] = [:]

    init(eventLoop: any EventLoop, settings: UpstreamSettings, observer: any UpstreamObserver, logger: Logger) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.observer = observer
        self.logger = logger
        self.nextSweep = .now() + settings.idleClientTimeout
    }

    /// Sends a request to `cluster`, sharing the upstream call with an identical one already in
    /// flight on this loop (same cluster, RPC name and args bytes, i.e. same table and partitions).
    ///
    /// A query that joins a call started with a later deadline still fails at its own deadline
    /// (``UpstreamError/Code/deadlineExceeded``); the shared call goes on for the others.
    func query(
        cluster: ClusterRoute,
        name: String,
        args: ByteBuffer,
        deadline: NIODeadline,
        followsForwards: Bool
    ) -> EventLoopFuture<ResponseFrame> {
        sweepIdleClients(keeping: cluster)
        guard settings.coalesce else {
            observer.sentUpstream(cluster: cluster.name)
            return client(for: cluster).query(name: name, args: args, deadline: deadline, followsForwards: followsForwards)
        }
        let key = InflightKey(cluster: cluster, name: name, args: args)
        if let joined = inflight[key] {
            observer.coalesced(cluster: cluster.name)
            guard deadline < joined.deadline else { return joined.future }
            return bounded(joined.future, by: deadline, cluster: cluster.name)
        }
        observer.sentUpstream(cluster: cluster.name)
        let future = client(for: cluster).query(name: name, args: args, deadline: deadline, followsForwards: followsForwards)
        inflight[key] = Inflight(future: future, deadline: deadline)
        future.assumeIsolated().whenComplete { [self] _ in
            inflight.removeValue(forKey: key)
        }
        return future
    }

    /// `shared`'s result, or ``UpstreamError/Code/deadlineExceeded`` at `deadline` if it comes later.
    private func bounded(
        _ shared: EventLoopFuture<ResponseFrame>, by deadline: NIODeadline, cluster: String
    ) -> EventLoopFuture<ResponseFrame> {
        let promise = eventLoop.makePromise(of: ResponseFrame.self)
        var settled = false
        let timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            guard !settled else { return }
            settled = true
            promise.fail(UpstreamError(.deadlineExceeded, cluster: cluster, detail: "joined a call in flight"))
        }
        shared.assumeIsolated().whenComplete { result in
            guard !settled else { return }
            settled = true
            timer.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
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

    /// The number of cluster clients on this loop.
    var clientCount: Int { clients.count }

    /// Closes the clients (but `keeping`'s) idle for `idleClientTimeout`; at most once per that span.
    private func sweepIdleClients(keeping cluster: ClusterRoute) {
        let now = NIODeadline.now()
        guard now >= nextSweep else { return }
        nextSweep = now + settings.idleClientTimeout
        let idle = clients.filter { key, client in
            key != cluster && client.inflightCount == 0 && now - client.lastUsed >= settings.idleClientTimeout
        }
        for (key, client) in idle {
            client.close()
            clients.removeValue(forKey: key)
        }
        if !idle.isEmpty {
            logger.debug("Closed idle upstream clients", metadata: ["metaproxy.clusters": "\(idle.map(\.key.name))"])
        }
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
