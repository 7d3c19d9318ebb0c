import Logging
import NIOCore
import PegasusWire
import RouteModel

/// The MetaServers of one cluster as seen from one event loop: one pooled connection per
/// MetaServer, the believed leader, and the query loop that follows leader hints and fails over.
///
/// Loop-bound: created and used only on `eventLoop`.
final class MetaClusterClient {
    let cluster: ClusterRoute
    private let eventLoop: any EventLoop
    private let settings: UpstreamSettings
    private let seqids: SeqidSource
    private let logger: Logger
    private let observer: any UpstreamObserver
    /// `observer` bound to this cluster: per-query metrics without a lookup.
    private let clusterObserver: any ClusterUpstreamObserver
    private var connections: [Endpoint: MetaConnection] = [:]
    /// `connections` by position in `cluster.metas`, filled as they are made: the first attempt of
    /// a query finds its connection without hashing the MetaServer's address.
    private var connectionsByIndex: [MetaConnection?]
    private let timeouts: AttemptTimeouts
    private let flushes: LoopFlushes
    /// Receives every query this client completes (``LoopUpstreams`` fans it out to joiners).
    private let finished: (UpstreamQuery, Result<ResponseFrame, UpstreamError>) -> Void
    /// The MetaServer that last answered as leader, by position in `cluster.metas`.
    private var leaderIndex: Int?
    /// The MetaServer that last answered as leader.
    var leader: Endpoint? { leaderIndex.map { cluster.metas[$0] } }
    /// The frame layout of the last control-plane RPC sent (``template(for:)``).
    private var lastTemplate: RequestFrameTemplate?
    /// Queries in flight.
    private(set) var inflightCount = 0
    /// When a query last started or ended.
    private(set) var lastUsed = NIODeadline.now()
    /// Leader hints outside the cluster's MetaServers already logged (each once; at most
    /// ``maxLoggedForeignHints`` kept, so a MetaServer naming ever new hosts cannot grow it).
    private var loggedForeignHints: Set<Endpoint> = []
    private static let maxLoggedForeignHints = 16

    init(
        cluster: ClusterRoute,
        eventLoop: any EventLoop,
        settings: UpstreamSettings,
        seqids: SeqidSource,
        timeouts: AttemptTimeouts,
        flushes: LoopFlushes,
        observer: any UpstreamObserver,
        logger: Logger,
        finished: @escaping (UpstreamQuery, Result<ResponseFrame, UpstreamError>) -> Void
    ) {
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.settings = settings
        self.seqids = seqids
        self.timeouts = timeouts
        self.flushes = flushes
        self.observer = observer
        self.clusterObserver = observer.cluster(cluster.name)
        self.logger = logger
        self.finished = finished
        self.connectionsByIndex = Array(repeating: nil, count: cluster.metas.count)
    }

    /// Runs `query` against the cluster until the leader answers or the query gives up, then
    /// hands it to `finished`. `now` is the current time, or about.
    func start(_ query: UpstreamQuery, now: NIODeadline) {
        clusterObserver.sentUpstream()
        inflightCount += 1
        lastUsed = now
        query.phase = .running(self)
        query.cluster = cluster.name
        // The first attempt goes to the believed leader, else the first MetaServer (what
        // `QueryAttempt.start()` answers); its `QueryAttempt` is made only if a second attempt is
        // needed (``attempt(of:)``), so the common run copies no MetaServer list.
        guard !cluster.metas.isEmpty else {
            let error = UpstreamError(.allMetasFailed, cluster: cluster.name, detail: "no MetaServer configured")
            return finish(query, .failure(error), now: now)
        }
        let index = leaderIndex ?? 0
        query.attempt = nil
        query.firstMetaIndex = index
        send(query, to: cluster.metas[index], index: index, now: now)
    }

    /// The run of `query` so far as a ``QueryAttempt``: made on its first failure or forward, as
    /// it was when its first attempt went to `metas[firstMetaIndex]`.
    private func attempt(of query: UpstreamQuery) -> QueryAttempt {
        if let attempt = query.attempt { return attempt }
        let metas = cluster.metas
        let first = metas.indices.contains(query.firstMetaIndex) ? metas[query.firstMetaIndex] : nil
        var attempt = QueryAttempt(cluster: cluster.name, metas: metas, leader: first, maxForwardHops: settings.maxForwardHops)
        _ = attempt.start()
        return attempt
    }

    /// Request bytes not yet written to this cluster's MetaServers (for tests).
    var queuedBytes: Int { connections.values.reduce(0) { $0 + $1.queuedBytes } }

    /// Closes every connection.
    func close() {
        for connection in connections.values { connection.close() }
        connections.removeAll()
        connectionsByIndex = Array(repeating: nil, count: cluster.metas.count)
    }

    // MARK: - The query loop

    /// Carries out `action`; `now` is the time of the event that led to it (one clock read per event).
    private func perform(_ action: QueryAttempt.Action, for query: UpstreamQuery, now: NIODeadline) {
        switch action {
        case .fail(let error):
            finish(query, .failure(error), now: now)
        case .send(let meta):
            send(query, to: meta, index: cluster.metas.firstIndex(of: meta), now: now)
        }
    }

    private func advance(_ query: UpstreamQuery, _ transition: (inout QueryAttempt) -> QueryAttempt.Action) {
        guard case .running = query.phase else { return }
        var attempt = attempt(of: query)
        let now = NIODeadline.now()
        if now >= query.deadline {
            return finish(query, .failure(UpstreamError(.deadlineExceeded, cluster: cluster.name)), now: now)
        }
        let action = transition(&attempt)
        query.attempt = attempt
        perform(action, for: query, now: now)
    }

    private func finish(_ query: UpstreamQuery, _ result: Result<ResponseFrame, UpstreamError>, now: NIODeadline = .now()) {
        guard case .running = query.phase else { return }
        query.attemptSeqid = 0
        if let timeout = query.timeout {
            timeouts.cancel(timeout)
            query.timeout = nil
        }
        inflightCount -= 1
        lastUsed = now
        query.completedAt = now
        finished(query, result)
    }

    /// Sends `query`'s next attempt to `meta`, at `index` in `cluster.metas` (`nil`: not in it).
    private func send(_ query: UpstreamQuery, to meta: Endpoint, index: Int?, now: NIODeadline) {
        let attemptDeadline = min(query.deadline, now + settings.attemptTimeout)
        guard attemptDeadline > now else {
            return finish(
                query, .failure(UpstreamError(.deadlineExceeded, cluster: cluster.name, meta: meta.description)), now: now)
        }
        let connection = index.map { self.connection(at: $0) } ?? self.connection(to: meta)
        let seqid = seqids.next()
        let timeoutMs = Int32(clamping: (attemptDeadline - now).nanoseconds / 1_000_000)
        let request = UpstreamRequest(template: template(for: query.name), seqid: seqid, clientTimeoutMs: timeoutMs, args: query.args)

        query.attemptSeqid = seqid
        query.attemptConnection = connection
        query.attemptStarted = now
        // The timer and the reply race; whichever comes first ends the attempt (attemptSeqid = 0),
        // and the other is ignored.
        query.timeout = timeouts.add(deadline: attemptDeadline, target: query)
        connection.send(request, for: query, connectTimeout: attemptDeadline - now)
    }

    /// The frame layout of `name`'s requests: query config's is made once; the control plane's
    /// other RPCs (rare) keep the last one made.
    private func template(for name: String) -> RequestFrameTemplate {
        if name == RpcName.queryConfig { return .queryConfig }
        if let last = lastTemplate, last.name == name { return last }
        let made = RequestFrameTemplate(name: name)
        lastTemplate = made
        return made
    }

    /// Ends the attempt in flight: later events of it are ignored.
    private func endAttempt(_ query: UpstreamQuery) {
        query.attemptSeqid = 0
        if let timeout = query.timeout {
            timeouts.cancel(timeout)
            query.timeout = nil
        }
    }

    /// The attempt's timer fired before its reply.
    func attemptTimedOut(_ query: UpstreamQuery) {
        guard let connection = query.attemptConnection else { return }
        let seqid = query.attemptSeqid
        endAttempt(query)
        let meta = connection.address
        observer.upstreamFailed(cluster: cluster.name, meta: connection.name, code: .timeout)
        forgetLeader(meta)
        // Counted against the connection: enough timeouts in a row with nothing received close it
        // (its other queries move on), and the next query to `meta` opens a new one.
        if connection.timedOut(seqid: seqid) {
            observer.upstreamFailed(cluster: cluster.name, meta: connection.name, code: .stalled)
            logger.warning(
                "Closed a MetaServer connection that stopped answering",
                metadata: [
                    "metaproxy.cluster": "\(cluster.name)", "peer.address": "\(meta)",
                    "metaproxy.timeouts": "\(settings.maxConsecutiveTimeouts)",
                ])
        }
        advance(query) { $0.failed(meta, error: UpstreamError(.timeout, cluster: cluster.name, meta: connection.name)) }
    }

    /// The attempt's connection failed before its reply.
    func attemptFailed(_ query: UpstreamQuery, error: UpstreamError) {
        guard let connection = query.attemptConnection else { return }
        endAttempt(query)
        let meta = connection.address
        observer.upstreamFailed(cluster: cluster.name, meta: connection.name, code: error.code)
        forgetLeader(meta)
        logger.debug(
            "MetaServer attempt failed",
            metadata: ["metaproxy.cluster": "\(cluster.name)", "peer.address": "\(meta)", "error": "\(error)"])
        advance(query) { $0.failed(meta, error: error) }
    }

    /// The attempt's MetaServer answered; `now`: when the read that carried the reply happened.
    func attemptReplied(_ query: UpstreamQuery, frame: ResponseFrame, now: NIODeadline) {
        guard let connection = query.attemptConnection else { return }
        endAttempt(query)
        let meta = connection.address
        guard frame.errorName == ErrorCode.ok.name, frame.body.readableBytes > 0 else {
            // An envelope error (e.g. ERR_HANDLER_NOT_FOUND) is the server's answer: relay it.
            return finish(query, .success(frame), now: now)
        }
        let err: ErrorCode
        var hint: Endpoint?
        do {
            // Every meta response has `err` as field 1; only query config names the leader, and
            // only a forward needs it (the common ERR_OK reply is not read further).
            err = try QueryConfigResponse.peekError(body: frame.body)
            if query.followsForwards, err == .forwardToOthers {
                let peek = try QueryConfigResponse.peekForward(body: frame.body)
                hint = Endpoint.leaderHint(address: peek.leader, hostPort: peek.leaderHostPort, among: cluster.metas)
            }
        } catch {
            observer.upstreamFailed(cluster: cluster.name, meta: connection.name, code: .badReply)
            let failure = UpstreamError(.badReply, cluster: cluster.name, meta: connection.name, detail: "\(error)")
            return advance(query) { $0.failed(meta, error: failure) }
        }
        guard err == .forwardToOthers else {
            leaderIndex = connection.index
            clusterObserver.upstreamAnswered(meta: connection.name, seconds: (now - query.attemptStarted).seconds)
            return finish(query, .success(frame), now: now)
        }
        if let hint, !cluster.metas.contains(hint) {
            refusedHint(hint, from: connection)
        } else if let hint {
            leaderIndex = cluster.metas.firstIndex(of: hint)
        }
        observer.forwarded(cluster: cluster.name, from: connection.name, to: hint?.description)
        advance(query) { $0.forwarded(from: meta, leader: hint) }
    }

    /// `meta` failed an attempt: if it was the believed leader, the next query starts at the top
    /// of the configured list again.
    private func forgetLeader(_ meta: Endpoint) {
        if leader == meta { leaderIndex = nil }
    }

    /// A MetaServer named a leader outside the cluster's configured list: not followed (the query
    /// tries the configured MetaServers), counted, logged once per hint.
    private func refusedHint(_ hint: Endpoint, from connection: MetaConnection) {
        observer.upstreamFailed(cluster: cluster.name, meta: connection.name, code: .foreignLeaderHint)
        guard loggedForeignHints.count < Self.maxLoggedForeignHints, loggedForeignHints.insert(hint).inserted else {
            return
        }
        logger.warning(
            "Ignored a leader hint outside the cluster's MetaServers",
            metadata: [
                "metaproxy.cluster": "\(cluster.name)", "peer.address": "\(connection.address)",
                "metaproxy.hint": "\(hint)",
            ])
    }

    private func connection(to meta: Endpoint) -> MetaConnection {
        if let existing = connections[meta] { return existing }
        let created = MetaConnection(
            address: meta, index: cluster.metas.firstIndex(of: meta), cluster: cluster.name, eventLoop: eventLoop,
            flushes: flushes, settings: settings)
        connections[meta] = created
        return created
    }

    /// The connection to `cluster.metas[index]`.
    private func connection(at index: Int) -> MetaConnection {
        if let known = connectionsByIndex[index] { return known }
        let made = connection(to: cluster.metas[index])
        connectionsByIndex[index] = made
        return made
    }
}

@available(*, unavailable)
extension MetaClusterClient: Sendable {}

extension TimeAmount {
    fileprivate var seconds: Double { Double(nanoseconds) / 1e9 }
}

extension Endpoint {
    /// The leader named by a follower's `ERR_FORWARD_TO_OTHERS` reply (`partitions[0].primary`,
    /// and on current Pegasus also `hp_primary`, a host name).
    ///
    /// A candidate that is one of the cluster's configured MetaServers wins (so the pooled
    /// connection is reused); otherwise `hp_primary`, then `primary`. `nil` when neither is usable.
    static func leaderHint(address: RpcAddress?, hostPort: HostPort?, among metas: [Endpoint]) -> Endpoint? {
        var candidates: [Endpoint] = []
        if let hostPort, !hostPort.isInvalid, let hint = try? Endpoint(host: hostPort.host, port: Int(hostPort.port)) {
            candidates.append(hint)
        }
        if let address, !address.isInvalid, let hint = try? Endpoint(parsing: address.description) {
            candidates.append(hint)
        }
        return candidates.first(where: metas.contains) ?? candidates.first
    }
}
