import Logging
import Metrics
import NIOCore
import PegasusWire
import RouteModel

/// Serves one client connection: answers every request frame completely.
///
/// - an RPC of the dispatch table (``ProxyRPC``): its handler, e.g. for
///   `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`: resolve the table's route, send the client's args to
///   the effective cluster (this loop's upstream pool), relay the reply body verbatim under the
///   client's seqid.
/// - any other RPC name: rDSN's answer for an RPC without handler (`ERR_HANDLER_NOT_FOUND`).
/// - a frame that cannot be decoded: the connection is logged and closed.
///
/// The connection's state (serving, draining, input failed, closed; queries in flight, read
/// pauses, the pending flush) is a ``ProxyConnectionStateMachine``: the handler reports each event
/// to it and performs the action it answers. `ChannelShouldQuiesceEvent` drains the connection:
/// it stops reading, answers what is in flight, and closes after the last reply.
///
/// A THFT connection's bytes come straight to this handler, which cuts them into frames itself
/// (``RequestFrameDecoder``, run over each read buffer in place; only the bytes of an incomplete
/// frame are kept until the next read): no decoder handler, no boxed message and no pipeline hop
/// per request. An RDSN connection's requests arrive as `RequestFrame`s through
/// ``RdsnRequestBridge`` (``serve(_:context:started:)``).
///
/// Replies go out in completion order (clients match them by seqid). THFT replies are encoded
/// into one per-connection buffer, written and flushed once at the end of the event loop tick in
/// which they completed; RDSN replies are written one by one (``RdsnThriftAdapter`` re-frames each)
/// and flushed at the end of the tick as well. Back-pressure: the handler stops reading while the
/// connection has `maxInflightPerConnection` queries in flight or its outbound buffer is above the
/// high water mark.
///
/// Loop-bound: one instance per channel.
final class ProxyConnectionHandler: ChannelDuplexHandler, DeferredFlushing {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shared: ProxyDependencies
    private var decoder: RequestFrameDecoder
    /// The bytes of a THFT frame not yet complete at the end of the last read.
    private var partial: ByteBuffer?
    /// Serving, draining, input failed or closed, with the back-pressure and flush bookkeeping.
    private var state: ProxyConnectionStateMachine
    /// The THFT replies of this tick, written with one flush (``scheduleFlush(context:)``).
    private var outbound = ByteBuffer()
    /// How replies are framed: fixed once the connection's format is known.
    private var replyFraming = ReplyFraming.batched
    private var logger: Logger
    private var upstreams: LoopUpstreams?
    /// This handler's context while it is in the pipeline (for the end-of-tick flush).
    private var context: ChannelHandlerContext?
    /// Closes the connection after `idleTimeout` without reads or flushes.
    private var idle: IdleTimer?
    /// Handles of `client_query_config_count{table}` by table, at most `queryCounterCacheSize`.
    private var queryCounters: [String: Counter] = [:]
    private static let queryCounterCacheSize = 256

    /// How a connection's replies are written.
    private enum ReplyFraming {
        /// THFT: encoded into one per-connection buffer, written with one flush per tick.
        case batched
        /// RDSN: written one by one (``RdsnThriftAdapter`` re-frames each), flushed per tick.
        case oneByOne
    }

    /// - Parameter shared: What every connection of the proxy shares.
    init(dependencies shared: ProxyDependencies) {
        self.shared = shared
        self.logger = shared.logger
        self.decoder = RequestFrameDecoder(maxFrameBytes: shared.settings.maxFrameBytes)
        self.state = ProxyConnectionStateMachine(maxInflight: shared.settings.maxInflightPerConnection)
    }

    /// Replies from now on are written one by one: the connection speaks RDSN and its requests
    /// come through ``RdsnRequestBridge``.
    func servesRdsn() {
        replyFraming = .oneByOne
    }

    func handlerAdded(context: ChannelHandlerContext) {
        logger[metadataKey: "peer.address"] = "\(context.channel.remoteAddress?.description ?? "?")"
        upstreams = shared.upstreams.upstreams(on: context.eventLoop)
        self.context = context
        idle = IdleTimer(timeout: shared.settings.idleTimeout, eventLoop: context.eventLoop)
        if context.channel.isActive { startIdleTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idle?.stop()
        self.context = nil
    }

    private func startIdleTimer(context: ChannelHandlerContext) {
        idle?.start { [self] in
            logger.debug("Closing idle connection")
            context.close(promise: nil)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        shared.metrics.connectionOpened()
        startIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.didClose()
        idle?.stop()
        if let partial, partial.readableBytes > 0 {
            logger.debug("Connection closed inside a frame", metadata: ["metaproxy.unread_bytes": "\(partial.readableBytes)"])
        }
        partial = nil
        outbound = ByteBuffer()
        shared.metrics.connectionClosed()
        context.fireChannelInactive()
    }

    /// Serves every whole THFT frame of the bytes read so far; keeps an incomplete one's bytes.
    ///
    /// `MetaConnectionHandler` cuts replies the same way. The loop is not a shared mutating helper
    /// on purpose: `serve` may close the connection, and `channelInactive` then clears the held bytes
    /// while such a helper would still be inside its mutating call (an exclusivity violation).
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state.acceptsInput else { return }
        var input = unwrapInboundIn(data)
        if var held = partial {
            partial = nil
            held.writeBuffer(&input)
            input = held
        }
        // One clock read per read: the frames of one read arrived together.
        let started = NIODeadline.now()
        do {
            while state.acceptsInput, let frame = try decoder.decode(buffer: &input) {
                serve(frame, context: context, started: started)
            }
        } catch {
            state.didFailInput()
            errorCaught(context: context, error: error)
            return
        }
        if input.readableBytes > 0 { partial = input }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        idle?.noteTraffic()
        context.fireChannelReadComplete()
    }

    /// Answers one request frame (read at `started`): dispatches it by RPC name (``ProxyRPC``).
    func serve(_ frame: RequestFrame, context: ChannelHandlerContext, started: NIODeadline) {
        switch ProxyRPC(name: frame.message.name) {
        case .queryConfig:
            serveQueryConfig(frame, context: context, started: started)
        case nil:
            answerHandlerNotFound(frame, context: context, started: started)
        }
    }

    /// An RPC the proxy has no handler for: rDSN's `ERR_HANDLER_NOT_FOUND`; the connection stays usable.
    private func answerHandlerNotFound(_ frame: RequestFrame, context: ChannelHandlerContext, started: NIODeadline) {
        shared.metrics.unknownRPC()
        logger.debug("RPC without handler", metadata: ["rpc.name": "\(frame.message.name)", "rpc.seqid": "\(frame.message.seqid)"])
        let reply = ResponseFrame.handlerNotFound(requestName: frame.message.name, seqid: frame.message.seqid)
        finish(context: context, capacity: 64 + frame.message.name.utf8.count, result: .handlerNotFound, started: started, counted: false) {
            reply.encode(into: &$0)
        }
    }

    /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`: routes the query to its table's effective cluster
    /// and relays the reply (``upstreamCompleted(_:result:context:)``).
    private func serveQueryConfig(_ frame: RequestFrame, context: ChannelHandlerContext, started: NIODeadline) {
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
        // A closed connection (an RDSN request read as it closed) could not be answered.
        guard state.didStartQuery() else { return }
        // The query keeps its own copy of the args (a few dozen bytes) for its upstream attempts,
        // not a slice of the read buffer: holding every read buffer until its queries end would
        // make the channel allocate a new one (after searching its pool) for every read.
        let query = ProxyQuery(
            table: table, clientSeqid: frame.message.seqid, args: ByteBuffer(buffer: frame.args), started: started,
            deadline: shared.settings.deadline(clientTimeoutMs: frame.header.clientTimeout, now: started),
            handler: self, context: context)

        if let route = shared.routes.cachedRoute(for: table) {
            countQuery(table: table)
            forward(query, route: route, now: started, context: context)
            return
        }
        let routes = shared.routes
        let eventLoop = context.eventLoop
        let load = {
            eventLoop.makeFutureWithTask { () async throws(RouteError) -> Route in
                try await routes.route(for: table)
            }
        }
        (upstreams?.routeLoad(table: table, load) ?? load()).assumeIsolated().whenComplete { [self] result in
            // Only a table with a route is counted under its name: the name is the client's.
            if case .success = result {
                countQuery(table: table)
                shared.metrics.routeLoaded(table: table, routed: true)
            } else {
                shared.metrics.unroutedQuery()
                shared.metrics.routeLoaded(table: table, routed: false)
            }
            guard state.isOpen else { return releaseSlot(context: context) }
            switch result {
            case .success(let route):
                forward(query, route: route, now: .now(), context: context)
            case .failure(let error):
                let routeError = error as? RouteError
                    ?? RouteError(code: .sourceUnavailable, table: query.table, reason: "\(error)")
                answerRouteFailure(query, error: routeError, context: context)
            }
        }
    }

    /// Counts a query of `table`, which has a route (`client_query_config_count{table}`), through
    /// this connection's cache of counter handles: no lock and no shared table per query.
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

    /// Starts `query` upstream; `now` is the time it was read, or the current time if it waited.
    private func forward(_ query: ProxyQuery, route: Route, now: NIODeadline, context: ChannelHandlerContext) {
        guard let upstreams else {
            return answerUnavailable(query, detail: "no upstream pool on this event loop", context: context)
        }
        upstreams.start(query, cluster: shared.effective.activeCluster(for: route), now: now)
    }

    /// The upstream outcome of `query`: relays the reply under the client's seqid, or answers
    /// that no MetaServer is available.
    func upstreamCompleted(_ query: ProxyQuery, result: Result<ResponseFrame, UpstreamError>, context: ChannelHandlerContext) {
        guard state.isOpen else { return releaseSlot(context: context) }
        switch result {
        case .success(let reply):
            let capacity = 32 + reply.errorName.utf8.count + reply.message.name.utf8.count + reply.body.readableBytes
            finish(context: context, capacity: capacity, result: .relayed, started: query.started) {
                ResponseFrame.write(
                    errorName: reply.errorName, name: reply.message.name, seqid: query.clientSeqid, body: reply.body, into: &$0)
            }
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
        let reply = ResponseFrame.reply(
            requestName: RpcName.queryConfig, seqid: query.clientSeqid, result: QueryConfigResponse(err: code))
        finish(context: context, capacity: 160, result: result, started: query.started) { reply.encode(into: &$0) }
    }

    /// No MetaServer of the cluster answered in time → envelope `ERR_TIMEOUT`, no body: Java and Go
    /// then try their next meta address (the proxy again, behind DNS), as after a real timeout.
    private func answerUnavailable(_ query: ProxyQuery, detail: String, context: ChannelHandlerContext) {
        finish(context: context, capacity: 96, result: .upstreamUnavailable, started: query.started) {
            ResponseFrame.write(
                errorName: ErrorCode.timeout.name, name: RpcName.queryConfigAck, seqid: query.clientSeqid, body: nil,
                into: &$0)
        }
    }

    /// Sends a reply (`encode` writes it; `capacity` is its size, about) and counts it.
    private func finish(
        context: ChannelHandlerContext, capacity: Int, result: ProxyMetrics.ReplyResult, started: NIODeadline,
        counted: Bool = true, reply encode: (inout ByteBuffer) -> Void
    ) {
        let written = send(context: context, capacity: capacity, encode)
        shared.metrics.replied(result, seconds: Double((NIODeadline.now() - started).nanoseconds) / 1e9)
        if counted { releaseSlot(context: context, after: written) }
    }

    /// Writes a reply. It leaves with the others of this tick (one flush), except while draining:
    /// then it goes out at once, and the returned future tells when it is written (the last one
    /// closes the connection). Once the connection is closed, replies are dropped.
    private func send(context: ChannelHandlerContext, capacity: Int, _ encode: (inout ByteBuffer) -> Void)
        -> EventLoopFuture<Void>?
    {
        let action = state.willSendReply()
        switch (replyFraming, action) {
        case (_, .drop):
            return nil
        case (.batched, .flushAtEndOfTick(let schedule)):
            encode(&outbound)
            if schedule { scheduleFlush(context: context) }
            return nil
        case (.batched, .flushNow):
            encode(&outbound)
            let written = context.eventLoop.makePromise(of: Void.self)
            flushOutbound(context: context, promise: written)
            return written.futureResult
        case (.oneByOne, .flushAtEndOfTick(let schedule)):
            var out = context.channel.allocator.buffer(capacity: capacity)
            encode(&out)
            context.write(wrapOutboundOut(out), promise: nil)
            if schedule { scheduleFlush(context: context) }
            return nil
        case (.oneByOne, .flushNow):
            var out = context.channel.allocator.buffer(capacity: capacity)
            encode(&out)
            return context.writeAndFlush(wrapOutboundOut(out))
        }
    }

    /// Writes the replies gathered in `outbound` (`promise` completes when they are written) and
    /// flushes.
    private func flushOutbound(context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        idle?.noteTraffic()
        guard outbound.readableBytes > 0 else {
            context.flush()
            promise?.succeed()
            return
        }
        context.writeAndFlush(wrapOutboundOut(outbound), promise: promise)
        // Once written, the channel lets go of the bytes and the storage is reused; a buffer grown
        // by a burst is not kept.
        if outbound.capacity > Self.outboundKeptCapacity {
            outbound = ByteBuffer()
        } else {
            outbound.clear()
        }
    }

    private static let outboundKeptCapacity = 64 << 10

    /// One query is done; while draining, the last one closes the connection once its reply
    /// (`written`) is out.
    private func releaseSlot(context: ChannelHandlerContext, after written: EventLoopFuture<Void>? = nil) {
        switch state.didFinishQuery() {
        case .none:
            break
        case .read:
            context.read()
        case .close:
            guard let written else { return flushAndClose(context: context) }
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Flushes at the end of this event loop tick: the replies that complete together (one read
    /// of an upstream connection answers many queries) leave in one flush instead of one each,
    /// and one task of the loop (``LoopFlushes``) flushes every connection written in the tick.
    /// Called once per tick (the state machine remembers that the flush was asked for).
    private func scheduleFlush(context: ChannelHandlerContext) {
        if let upstreams { return upstreams.flushes.flushLater(self) }
        context.eventLoop.assumeIsolated().execute { [self] in flushDeferred() }
    }

    func flushDeferred() {
        if state.didRunDeferredFlush(), let context { flushOutbound(context: context) }
    }

    private func flushAndClose(context: ChannelHandlerContext) {
        flushOutbound(context: context)
        context.close(promise: nil)
    }

    // MARK: - Back-pressure

    func read(context: ChannelHandlerContext) {
        run(state.willRead(), context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Already paused (too much in flight), the client now also stops taking replies; or it
        // takes them again and reading resumes.
        run(state.didChangeWritability(isWritable: context.channel.isWritable), context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Passes a read on, or counts a read pause (and whether the client's unread replies are a cause).
    private func run(_ action: ProxyConnectionStateMachine.ReadAction, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .read:
            context.read()
        case .countPause(let counters):
            if counters.contains(.readPause) { shared.metrics.readPaused() }
            if counters.contains(.fullOutput) { shared.metrics.readPausedForFullOutput() }
        }
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

    /// `ChannelShouldQuiesceEvent` (the server drains on shutdown): stop reading, answer what is
    /// in flight, close after the last reply. Other events pass on.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            return context.fireUserInboundEventTriggered(event)
        }
        switch state.didReceiveQuiesce() {
        case .none:
            break
        case .close:
            flushAndClose(context: context)
        }
    }
}

@available(*, unavailable)
extension ProxyConnectionHandler: Sendable {}
