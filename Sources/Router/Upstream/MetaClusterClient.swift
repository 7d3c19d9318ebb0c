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
    private let timeouts: AttemptTimeouts
    private let flushes: LoopFlushes
    /// Receives every query this client completes (``LoopUpstreams`` fans it out to joiners).
    private let finished: (UpstreamQuery, Result<ResponseFrame, UpstreamError>) -> Void
    /// The MetaServer that last answered as leader.
    private(set) var leader: Endpoint?
    /// Where request frames are encoded; the connection copies each, so its storage is reused.
    private var frameScratch = ByteBufferAllocator().buffer(capacity: 512)
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
    }

    /// Runs `query` against the cluster until the leader answers or the query gives up, then
    /// hands it to `finished`. `now` is the current time, or about.
    func start(_ query: UpstreamQuery, now: NIODeadline) {
        clusterObserver.sentUpstream()
        inflightCount += 1
        lastUsed = now
        query.phase = .running(self)
        query.cluster = cluster.name
        var attempt = QueryAttempt(
            cluster: cluster.name, metas: cluster.metas, leader: leader, maxForwardHops: settings.maxForwardHops)
        let action = attempt.start()
        query.attempt = attempt
        perform(action, for: query, now: now)
    }

    /// Request bytes not yet written to this cluster's MetaServers (for tests).
    var queuedBytes: Int { connections.values.reduce(0) { $0 + $1.queuedBytes } }

    /// Closes every connection.
    func close() {
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    // MARK: - The query loop

    /// Carries out `action`; `now` is the time of the event that led to it (one clock read per event).
    private func perform(_ action: QueryAttempt.Action, for query: UpstreamQuery, now: NIODeadline) {
        switch action {
        case .fail(let error):
            finish(query, .failure(error), now: now)
        case .send(let meta):
            send(query, to: meta, now: now)
        }
    }

    private func advance(_ query: UpstreamQuery, _ transition: (inout QueryAttempt) -> QueryAttempt.Action) {
        guard var attempt = query.attempt else { return }
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

    private func send(_ query: UpstreamQuery, to meta: Endpoint, now: NIODeadline) {
        let attemptDeadline = min(query.deadline, now + settings.attemptTimeout)
        guard attemptDeadline > now else {
            return finish(
                query, .failure(UpstreamError(.deadlineExceeded, cluster: cluster.name, meta: meta.description)), now: now)
        }
        let connection = self.connection(to: meta)
        let seqid = seqids.next()
        let timeoutMs = Int32(clamping: (attemptDeadline - now).nanoseconds / 1_000_000)
        frameScratch.clear()
        RequestFrame.write(
            header: RequestHeader(clientTimeout: timeoutMs), name: query.name, seqid: seqid, args: query.args,
            into: &frameScratch)
        let frame = frameScratch

        query.attemptSeqid = seqid
        query.attemptConnection = connection
        query.attemptStarted = now
        // The timer and the reply race; whichever comes first ends the attempt (attemptSeqid = 0),
        // and the other is ignored.
        query.timeout = timeouts.add(deadline: attemptDeadline, target: query)
        connection.send(seqid: seqid, frame: frame, for: query, connectTimeout: attemptDeadline - now)
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
            leader = meta
            clusterObserver.upstreamAnswered(meta: connection.name, seconds: (now - query.attemptStarted).seconds)
            return finish(query, .success(frame), now: now)
        }
        if let hint, !cluster.metas.contains(hint) {
            refusedHint(hint, from: connection)
        } else if let hint {
            leader = hint
        }
        observer.forwarded(cluster: cluster.name, from: connection.name, to: hint?.description)
        advance(query) { $0.forwarded(from: meta, leader: hint) }
    }

    /// `meta` failed an attempt: if it was the believed leader, the next query starts at the top
    /// of the configured list again.
    private func forgetLeader(_ meta: Endpoint) {
        if leader == meta { leader = nil }
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
            address: meta, cluster: cluster.name, eventLoop: eventLoop, flushes: flushes, settings: settings)
        connections[meta] = created
        return created
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
