import Logging
import Metrics
import NIOCore
import PegasusWire

/// Serves one client connection: answers every request frame completely.
///
/// - `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`: resolve the table's route, send the client's args to
///   the effective cluster (this loop's upstream pool), relay the reply body verbatim under the
///   client's seqid.
/// - any other RPC name: rDSN's answer for an RPC without handler (`ERR_HANDLER_NOT_FOUND`).
/// - a frame that cannot be decoded: the connection is logged and closed (the decoder throws).
///
/// Replies go out in completion order (clients match them by seqid). Back-pressure: the handler
/// stops reading while the connection has `maxInflightPerConnection` queries in flight or its
/// outbound buffer is above the high water mark.
///
/// Loop-bound: one instance per channel.
final class ProxyConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = RequestFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shared: ProxyContext
    private var logger: Logger
    private var upstreams: LoopUpstreams?
    private var inflight = 0
    private var readPending = false
    /// Whether the current read pause has been counted as caused by a full output buffer.
    private var pausedForOutput = false
    private var isActive = true
    private var draining = false
    private var flushScheduled = false
    /// Handles of `client_query_config_count{table}` by table, at most `queryCounterCacheSize`.
    private var queryCounters: [String: Counter] = [:]
    private static let queryCounterCacheSize = 256

    init(context shared: ProxyContext) {
        self.shared = shared
        self.logger = shared.logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        logger[metadataKey: "peer.address"] = "\(context.channel.remoteAddress?.description ?? "?")"
        upstreams = shared.upstreams.upstreams(on: context.eventLoop)
    }

    func channelActive(context: ChannelHandlerContext) {
        shared.metrics.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        shared.metrics.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let started = NIODeadline.now()
        guard frame.message.name == RpcName.queryConfig else {
            shared.metrics.unknownRPC()
            logger.debug("RPC without handler", metadata: ["rpc.name": "\(frame.message.name)", "rpc.seqid": "\(frame.message.seqid)"])
            var out = context.channel.allocator.buffer(capacity: 64 + frame.message.name.utf8.count)
            ResponseFrame.handlerNotFound(requestName: frame.message.name, seqid: frame.message.seqid).encode(into: &out)
            finish(context: context, out, result: .handlerNotFound, started: started, counted: false)
            return
        }
        let request: QueryConfigRequest
        do {
            request = try frame.decodeArgs(QueryConfigRequest.self)
        } catch {
            shared.metrics.badFrame()
            logger.warning("Closing connection: unreadable query_config request", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        let table = request.appName
        countQuery(table: table)
        inflight += 1
        let query = ProxyQuery(
            table: table, clientSeqid: frame.message.seqid, args: frame.args, started: started,
            deadline: shared.settings.deadline(clientTimeoutMs: frame.header.clientTimeout, now: started),
            handler: self, context: context)

        if let route = shared.routes.cachedRoute(for: table) {
            forward(query, route: route, context: context)
            return
        }
        shared.metrics.routeLoad(table: table)
        let routes = shared.routes
        let eventLoop = context.eventLoop
        let load = {
            eventLoop.makeFutureWithTask { () async throws(RouteError) -> Route in
                try await routes.route(for: table)
            }
        }
        (upstreams?.routeLoad(table: table, load) ?? load()).assumeIsolated().whenComplete { [self] result in
            guard isActive else { return releaseSlot(context: context) }
            switch result {
            case .success(let route):
                forward(query, route: route, context: context)
            case .failure(let error):
                let routeError = error as? RouteError
                    ?? RouteError(code: .sourceUnavailable, table: query.table, reason: "\(error)")
                answerRouteFailure(query, error: routeError, context: context)
            }
        }
    }

    /// Counts a query of `table` (`client_query_config_count{table}`) through this connection's
    /// cache of counter handles: no lock and no shared table per query.
    private func countQuery(table: String) {
        if let counter = queryCounters[table] {
            counter.increment()
            return
        }
        if queryCounters.count >= Self.queryCounterCacheSize { queryCounters.removeAll(keepingCapacity: true) }
        let counter = shared.metrics.queryConfigCounter(table: table)
        queryCounters[table] = counter
        counter.increment()
    }

    private func forward(_ query: ProxyQuery, route: Route, context: ChannelHandlerContext) {
        guard let upstreams else {
            return answerUnavailable(query, detail: "no upstream pool on this event loop", context: context)
        }
        upstreams.start(query, cluster: shared.effective.activeCluster(for: route))
    }

    /// The upstream outcome of `query`: relays the reply under the client's seqid, or answers
    /// that no MetaServer is available.
    func upstreamCompleted(_ query: ProxyQuery, result: Result<ResponseFrame, UpstreamError>, context: ChannelHandlerContext) {
        guard isActive else { return releaseSlot(context: context) }
        switch result {
        case .success(let reply):
            var out = context.channel.allocator.buffer(
                capacity: 32 + reply.errorName.utf8.count + reply.message.name.utf8.count + reply.body.readableBytes)
            ResponseFrame.write(
                errorName: reply.errorName, name: reply.message.name, seqid: query.clientSeqid, body: reply.body, into: &out)
            finish(context: context, out, result: .relayed, started: query.started)
        case .failure(let error):
            logger.debug(
                "Upstream query failed",
                metadata: ["metaproxy.table": "\(query.table)", "metaproxy.cluster": "\(query.cluster)", "error": "\(error)"])
            answerUnavailable(query, detail: "\(error)", context: context)
        }
    }

    /// Table unknown → `ERR_OBJECT_NOT_FOUND` in the body (what a MetaServer says); route node
    /// malformed → `ERR_INVALID_DATA`; route source down for an uncached table →
    /// `ERR_ZOOKEEPER_OPERATION` (both as the Go meta-proxy answered).
    private func answerRouteFailure(_ query: ProxyQuery, error: RouteError, context: ChannelHandlerContext) {
        let code: ErrorCode
        let result: ProxyMetrics.ReplyResult
        if error.code == .unknownTable {
            code = .objectNotFound
            result = .unknownTable
        } else if error.code == .malformed {
            code = .invalidData
            result = .routeUnavailable
            logger.warning("Route malformed", metadata: ["metaproxy.table": "\(query.table)", "error": "\(error)"])
        } else {
            code = .zookeeperOperation
            result = .routeUnavailable
            logger.warning("Route unavailable", metadata: ["metaproxy.table": "\(query.table)", "error": "\(error)"])
        }
        var out = context.channel.allocator.buffer(capacity: 160)
        ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: query.clientSeqid, result: QueryConfigResponse(err: code))
            .encode(into: &out)
        finish(context: context, out, result: result, started: query.started)
    }

    /// No MetaServer of the cluster answered in time → envelope `ERR_TIMEOUT`, no body: Java and Go
    /// then try their next meta address (the proxy again, behind DNS), as after a real timeout.
    private func answerUnavailable(_ query: ProxyQuery, detail: String, context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: 96)
        ResponseFrame.write(
            errorName: ErrorCode.timeout.name, name: RpcName.queryConfigAck, seqid: query.clientSeqid, body: nil,
            into: &out)
        finish(context: context, out, result: .upstreamUnavailable, started: query.started)
    }

    private func finish(
        context: ChannelHandlerContext, _ reply: ByteBuffer, result: ProxyMetrics.ReplyResult, started: NIODeadline,
        counted: Bool = true
    ) {
        // While draining, the reply goes out at once and the last one closes the connection when
        // written; otherwise it leaves with the others of this tick (one flush).
        let written: EventLoopFuture<Void>?
        if draining {
            written = context.writeAndFlush(wrapOutboundOut(reply))
        } else {
            context.write(wrapOutboundOut(reply), promise: nil)
            scheduleFlush(context: context)
            written = nil
        }
        shared.metrics.replied(result, seconds: Double((NIODeadline.now() - started).nanoseconds) / 1e9)
        if counted { releaseSlot(context: context, after: written) }
    }

    /// One query is done; while draining, the last one closes the connection once its reply
    /// (`written`) is out.
    private func releaseSlot(context: ChannelHandlerContext, after written: EventLoopFuture<Void>? = nil) {
        inflight -= 1
        if draining, inflight == 0 {
            guard let written else { return flushAndClose(context: context) }
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        resumeReadingIfPossible(context: context)
    }

    /// Flushes at the end of this event loop tick: the replies that complete together (one read
    /// of an upstream connection answers many queries) leave in one flush instead of one each.
    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            if isActive { context.flush() }
        }
    }

    private func flushAndClose(context: ChannelHandlerContext) {
        context.flush()
        context.close(promise: nil)
    }

    // MARK: - Back-pressure

    func read(context: ChannelHandlerContext) {
        if draining { return }
        if inflight >= shared.settings.maxInflightPerConnection || !context.channel.isWritable {
            pauseReading(context: context)
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Already paused (too much in flight), the client now also stops taking replies.
        if readPending, !context.channel.isWritable { pauseReading(context: context) }
        resumeReadingIfPossible(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Withholds the next read; counts the pause, and whether the client's unread replies are a cause.
    private func pauseReading(context: ChannelHandlerContext) {
        if !readPending {
            readPending = true
            shared.metrics.readPaused()
        }
        if !context.channel.isWritable, !pausedForOutput {
            pausedForOutput = true
            shared.metrics.readPausedForFullOutput()
        }
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        guard readPending, isActive, !draining, inflight < shared.settings.maxInflightPerConnection, context.channel.isWritable
        else { return }
        readPending = false
        pausedForOutput = false
        context.read()
    }

    // MARK: - Errors and idle connections

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is WireError {
            shared.metrics.badFrame()
            logger.warning("Closing connection: malformed frame", metadata: ["error": "\(error)"])
        } else {
            logger.debug("Closing connection after error", metadata: ["error": "\(error)"])
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ProxyDrainEvent {
            draining = true
            if inflight == 0 { flushAndClose(context: context) }
            return
        }
        if event is IdleStateHandler.IdleStateEvent {
            logger.debug("Closing idle connection")
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension ProxyConnectionHandler: Sendable {}
