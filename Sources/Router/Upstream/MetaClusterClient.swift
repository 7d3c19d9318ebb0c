import Logging
import NIOCore
import PegasusWire

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
    private var connections: [MetaAddress: MetaConnection] = [:]
    private let timeouts: AttemptTimeouts
    /// The MetaServer that last answered as leader.
    private(set) var leader: MetaAddress?
    /// Queries in flight.
    private(set) var inflightCount = 0
    /// When a query last started or ended.
    private(set) var lastUsed = NIODeadline.now()

    init(
        cluster: ClusterRoute,
        eventLoop: any EventLoop,
        settings: UpstreamSettings,
        seqids: SeqidSource,
        observer: any UpstreamObserver,
        logger: Logger
    ) {
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.settings = settings
        self.seqids = seqids
        self.observer = observer
        self.logger = logger
        self.timeouts = AttemptTimeouts(eventLoop: eventLoop)
    }

    /// Sends one request (`name` with Thrift `args`) to the cluster and returns the leader's reply.
    ///
    /// - Parameters:
    ///   - name: the RPC name, e.g. `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`.
    ///   - args: the request's Thrift args struct, encoded (relayed as the client sent it).
    ///   - deadline: when the whole query gives up.
    ///   - followsForwards: whether the reply is a query-config reply whose `ERR_FORWARD_TO_OTHERS`
    ///     names the leader (only query config carries the hint); for other meta RPCs a forward
    ///     moves on to the next MetaServer.
    func query(name: String, args: ByteBuffer, deadline: NIODeadline, followsForwards: Bool) -> EventLoopFuture<ResponseFrame> {
        let promise = eventLoop.makePromise(of: ResponseFrame.self)
        var attempt = QueryAttempt(
            cluster: cluster.name, metas: cluster.metas, leader: leader, maxForwardHops: settings.maxForwardHops)
        let run = QueryRun(name: name, args: args, deadline: deadline, followsForwards: followsForwards, promise: promise)
        inflightCount += 1
        lastUsed = .now()
        promise.futureResult.assumeIsolated().whenComplete { [self] _ in
            inflightCount -= 1
            lastUsed = .now()
        }
        step(run, attempt.start(), &attempt)
        return promise.futureResult
    }

    /// Closes every connection.
    func close() {
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    // MARK: - The query loop

    private final class QueryRun {
        let name: String
        let args: ByteBuffer
        let deadline: NIODeadline
        let followsForwards: Bool
        let promise: EventLoopPromise<ResponseFrame>
        var attempt: QueryAttempt?

        init(name: String, args: ByteBuffer, deadline: NIODeadline, followsForwards: Bool, promise: EventLoopPromise<ResponseFrame>) {
            self.name = name
            self.args = args
            self.deadline = deadline
            self.followsForwards = followsForwards
            self.promise = promise
        }
    }

    private func step(_ run: QueryRun, _ action: QueryAttempt.Action, _ attempt: inout QueryAttempt) {
        run.attempt = attempt
        switch action {
        case .fail(let error):
            run.promise.fail(error)
        case .send(let meta):
            send(run, to: meta)
        }
    }

    private func advance(_ run: QueryRun, _ transition: (inout QueryAttempt) -> QueryAttempt.Action) {
        guard var attempt = run.attempt else { return }
        if NIODeadline.now() >= run.deadline {
            run.promise.fail(UpstreamError(.deadlineExceeded, cluster: cluster.name))
            return
        }
        let action = transition(&attempt)
        step(run, action, &attempt)
    }

    private func send(_ run: QueryRun, to meta: MetaAddress) {
        let now = NIODeadline.now()
        let attemptDeadline = min(run.deadline, now + settings.attemptTimeout)
        guard attemptDeadline > now else {
            run.promise.fail(UpstreamError(.deadlineExceeded, cluster: cluster.name, meta: meta.description))
            return
        }
        let connection = self.connection(to: meta)
        let seqid = seqids.next()
        var frame = ByteBufferAllocator().buffer(capacity: 64 + run.args.readableBytes + run.name.utf8.count)
        let timeoutMs = Int32(clamping: (attemptDeadline - now).nanoseconds / 1_000_000)
        RequestFrame.write(
            header: RequestHeader(clientTimeout: timeoutMs), name: run.name, seqid: seqid, args: run.args, into: &frame)

        let started = now
        let reply = connection.send(seqid: seqid, frame: frame, connectTimeout: attemptDeadline - now)
        // The timeout and the reply race; whichever comes first decides, the other is ignored.
        var settled = false
        let timeout = timeouts.add(deadline: attemptDeadline) { [self] in
            connection.forget(seqid: seqid)
            guard !settled else { return }
            settled = true
            observer.upstreamFailed(cluster: cluster.name, meta: meta.description, code: .timeout)
            advance(run) { $0.failed(meta, error: UpstreamError(.timeout, cluster: cluster.name, meta: meta.description)) }
        }
        reply.assumeIsolated().whenComplete { [self] result in
            guard !settled else { return }
            settled = true
            timeouts.cancel(timeout)
            switch result {
            case .success(let frame):
                handleReply(run, from: meta, name: connection.name, frame: frame, started: started)
            case .failure(let error):
                let upstream = (error as? UpstreamError)
                    ?? UpstreamError(.connectionClosed, cluster: cluster.name, meta: meta.description, detail: "\(error)")
                observer.upstreamFailed(cluster: cluster.name, meta: meta.description, code: upstream.code)
                logger.debug(
                    "MetaServer attempt failed",
                    metadata: ["metaproxy.cluster": "\(cluster.name)", "peer.address": "\(meta)", "error": "\(upstream)"])
                advance(run) { $0.failed(meta, error: upstream) }
            }
        }
    }

    private func handleReply(
        _ run: QueryRun, from meta: MetaAddress, name metaName: String, frame: ResponseFrame, started: NIODeadline
    ) {
        guard frame.errorName == ErrorCode.ok.name, frame.body.readableBytes > 0 else {
            // An envelope error (e.g. ERR_HANDLER_NOT_FOUND) is the server's answer: relay it.
            run.promise.succeed(frame)
            return
        }
        let err: ErrorCode
        var hint: MetaAddress?
        do {
            // Every meta response has `err` as field 1; only query config names the leader, and
            // only a forward needs it (the common ERR_OK reply is not read further).
            err = try QueryConfigResponse.peekError(body: frame.body)
            if run.followsForwards, err == .forwardToOthers {
                let peek = try QueryConfigResponse.peekForward(body: frame.body)
                hint = MetaAddress.leaderHint(address: peek.leader, hostPort: peek.leaderHostPort, among: cluster.metas)
            }
        } catch {
            observer.upstreamFailed(cluster: cluster.name, meta: meta.description, code: .badReply)
            advance(run) { $0.failed(meta, error: UpstreamError(.badReply, cluster: cluster.name, meta: meta.description, detail: "\(error)")) }
            return
        }
        guard err == .forwardToOthers else {
            leader = meta
            observer.upstreamAnswered(cluster: cluster.name, meta: metaName, seconds: (NIODeadline.now() - started).seconds)
            run.promise.succeed(frame)
            return
        }
        if let hint { leader = hint }
        observer.forwarded(cluster: cluster.name, from: meta.description, to: hint?.description)
        advance(run) { $0.forwarded(from: meta, leader: hint) }
    }

    private func connection(to meta: MetaAddress) -> MetaConnection {
        if let existing = connections[meta] { return existing }
        let created = MetaConnection(
            address: meta, cluster: cluster.name, eventLoop: eventLoop, maxFrameBytes: settings.maxFrameBytes)
        connections[meta] = created
        return created
    }
}

@available(*, unavailable)
extension MetaClusterClient: Sendable {}

extension TimeAmount {
    fileprivate var seconds: Double { Double(nanoseconds) / 1e9 }
}
