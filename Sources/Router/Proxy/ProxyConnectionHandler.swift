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
/// per request. An RDSN connection's requests arrive as `RdsnFrame`s from its ``RdsnFrameCutter``
/// by a direct call (``receiveRdsn(_:context:)``); their args are written into the pooled query's
/// buffer as THFT args and only the request's header is kept for the reply.
///
/// Replies go out in completion order (clients match them by seqid, RDSN clients by id). THFT and
/// RDSN replies alike are encoded into one per-connection buffer, written and flushed once at the
/// end of the event loop tick in which they completed.
///
/// Budgets (docs/reliability.md, "Client-side budgets"):
/// - back-pressure: a request is served only while the connection has fewer than
///   `maxInflightPerConnection` queries in flight and its client takes its replies (the channel is
///   writable: less than `server.max_unwritten_reply_bytes` written and not yet sent, and this
///   tick's replies under that too). Checked before every frame, not once per read: the frames of
///   a read beyond that wait in the connection (THFT: as bytes; RDSN: as frames) and are served as
///   slots free, and reading stays paused until they are.
/// - what a connection holds (an incomplete frame, requests waiting for a slot) is reserved in the
///   proxy-wide ``RequestBufferBudget`` (`server.max_buffered_request_bytes`); a connection that
///   would take it over is closed.
/// - a frame (THFT, or RDSN through ``RdsnFrameCutter``) whose first byte arrived must be complete
///   within `server.frame_timeout`, or the connection is closed: a trickle of bytes no longer keeps
///   it open.
///
/// Loop-bound: one instance per channel.
final class ProxyConnectionHandler: ChannelDuplexHandler, DeferredFlushing {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shared: ProxyDependencies
    private var decoder: RequestFrameDecoder
    /// The THFT bytes held at the end of the last read (an incomplete frame, or frames waiting for
    /// a slot), in the connection's own reused storage (``FrameCarry``).
    private var carry = FrameCarry()
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
    /// `server.max_unwritten_reply_bytes`, also the most this tick's replies may reach before the
    /// requests after them wait for the flush.
    private let maxUnwrittenReplyBytes: Int
    /// Whether the frames read are being served now (``serveHeldInput(context:)`` is not re-entered).
    private var servingInput = false
    /// RDSN requests waiting for a slot, in arrival order.
    private var heldFrames = CircularBuffer<RdsnFrame>(initialCapacity: 0)
    /// About the bytes `heldFrames` hold.
    private var heldFrameBytes = 0
    /// The bytes of an incomplete RDSN frame held by the connection's ``RdsnFrameCutter``.
    private var rdsnPartialBytes = 0
    /// The bytes this connection has reserved in the proxy's ``RequestBufferBudget``.
    private var reservedBytes = 0
    /// When the first byte of the incomplete frame held arrived (for `server.frame_timeout`).
    private var frameStarted: NIODeadline?
    /// Closes the connection when an incomplete frame is not complete within `frame_timeout`.
    private var frameTimer: Scheduled<Void>?

    /// How a connection's replies are written.
    private enum ReplyFraming {
        /// THFT and RDSN: encoded into one per-connection buffer, written with one flush per tick.
        case batched
    }

    /// - Parameter shared: What every connection of the proxy shares.
    init(dependencies shared: ProxyDependencies) {
        self.shared = shared
        self.logger = shared.logger
        self.decoder = RequestFrameDecoder(maxFrameBytes: shared.settings.maxFrameBytes)
        self.state = ProxyConnectionStateMachine(maxInflight: shared.settings.maxInflightPerConnection)
        self.maxUnwrittenReplyBytes = shared.settings.maxUnwrittenReplyBytes
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
        stopFrameTimer()
        releaseHeldBytes()
        self.context = nil
    }

    private func startIdleTimer(context: ChannelHandlerContext) {
        idle?.start { [self] in
            logger.debug("Closing idle connection")
            context.close(promise: nil)
        }
    }

    private func stopFrameTimer() {
        frameTimer?.cancel()
        frameTimer = nil
        frameStarted = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        shared.metrics.connectionOpened()
        startIdleTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.didClose()
        idle?.stop()
        if carry.heldBytes > 0 {
            logger.debug("Connection closed inside a frame", metadata: ["metaproxy.unread_bytes": "\(carry.heldBytes)"])
        }
        carry.drop()
        heldFrames.removeAll()
        heldFrameBytes = 0
        rdsnPartialBytes = 0
        releaseHeldBytes()
        stopFrameTimer()
        outbound = ByteBuffer()
        shared.metrics.connectionClosed()
        context.fireChannelInactive()
    }

    /// Serves the whole THFT frames of the bytes read so far while the connection has free slots;
    /// keeps the rest (``serveInput(adding:context:)``).
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state.acceptsInput else { return }
        servingInput = true
        serveInput(adding: unwrapInboundIn(data), context: context)
        servingInput = false
    }

    /// Serves the requests held in the connection, as far as slots allow (a slot freed, the
    /// client reads its replies again, the tick's replies were flushed, or the connection drains).
    /// Not re-entered: a reply answered while serving frees its slot for the loop already running.
    private func serveHeldInput(context: ChannelHandlerContext) {
        guard !servingInput, state.holdsInput else { return }
        servingInput = true
        defer { servingInput = false }
        while let frame = heldFrames.first {
            guard state.acceptsInput else { return }
            // No slot left: the frames served so far give their bytes back (a release, never a close).
            guard admitsRequest else {
                _ = reserveHeldBytes(context: context)
                return
            }
            heldFrames.removeFirst()
            heldFrameBytes -= Self.heldSize(frame)
            serveRdsn(frame, context: context, started: .now())
        }
        guard state.acceptsInput else { return }
        if carry.holdsBytes {
            serveInput(adding: nil, context: context)
        } else {
            _ = reserveHeldBytes(context: context)
            run(state.didServeHeldInput(), context: context)
        }
    }

    /// Whether one more request may be served now: the state machine has a free slot for it and
    /// this tick's replies are under `max_unwritten_reply_bytes` (those already written to the
    /// channel count through its writability).
    private var admitsRequest: Bool {
        state.admitsRequest && outbound.readableBytes < maxUnwrittenReplyBytes
    }

    /// Serves every whole THFT frame of the held bytes followed by `newBytes` while
    /// ``admitsRequest``; keeps the rest: complete frames waiting for a slot (reading pauses), or
    /// the bytes of an incomplete frame (its completion is timed, ``armFrameTimer(context:)``).
    /// What is kept is reserved in the proxy's ``RequestBufferBudget``.
    ///
    /// `MetaConnectionHandler` cuts replies the same way. The loop works on a local buffer on
    /// purpose: `serve` may close the connection, and `channelInactive` then clears the held bytes
    /// while a mutating access to them would still be running (an exclusivity violation).
    private func serveInput(adding newBytes: ByteBuffer?, context: ChannelHandlerContext) {
        let own = carry.holdsBytes
        guard var input = carry.input(adding: newBytes) else { return }
        // One clock read per read: the frames of one read arrived together.
        let cut = serveFrames(in: &input, context: context, started: .now())
        guard state.acceptsInput else { return }
        let remaining = input.readableBytes
        carry.keep(&input, own: own)
        switch cut {
        case .stopped:
            return
        case .waitingForSlot:
            state.didHoldInput()
            frameStarted = nil
        case .needMoreBytes(let servedAny):
            if remaining == 0 {
                frameStarted = nil
            } else if servedAny || frameStarted == nil {
                frameStarted = context.eventLoop.now
                armFrameTimer(context: context)
            }
        }
        guard reserveHeldBytes(context: context) else { return }
        if case .needMoreBytes = cut, heldFrames.isEmpty, state.holdsInput {
            run(state.didServeHeldInput(), context: context)
        }
    }

    /// How a pass over the bytes held ended.
    private enum FrameCut {
        /// The bytes left (if any) are an incomplete frame; `servedAny`: a frame was served.
        case needMoreBytes(servedAny: Bool)
        /// The connection has no free slot: the bytes left wait for one.
        case waitingForSlot
        /// The connection closed or read a malformed frame.
        case stopped
    }

    private func serveFrames(in input: inout ByteBuffer, context: ChannelHandlerContext, started: NIODeadline) -> FrameCut {
        var servedAny = false
        do {
            while state.acceptsInput {
                guard admitsRequest else {
                    return input.readableBytes > 0 ? .waitingForSlot : .needMoreBytes(servedAny: servedAny)
                }
                guard let next = try decoder.decodeNext(buffer: &input) else { return .needMoreBytes(servedAny: servedAny) }
                servedAny = true
                switch consume next {
                case .queryConfig(let call):
                    serveQueryConfig(call, context: context, started: started)
                case .frame(let frame):
                    serve(frame, context: context, started: started)
                }
            }
            return .stopped
        } catch {
            state.didFailInput()
            errorCaught(context: context, error: error)
            return .stopped
        }
    }

    /// An RDSN request (from ``RdsnFrameCutter``, called directly: no pipeline hop): served now if
    /// a slot is free and none waits before it, else held until one is. A body that cannot be
    /// relayed as THFT args closes the connection as a malformed frame.
    func receiveRdsn(_ frame: RdsnFrame, context: ChannelHandlerContext) {
        do {
            try frame.checkThriftArgs()
        } catch {
            return errorCaught(context: context, error: error)
        }
        guard state.acceptsInput else { return }
        guard heldFrames.isEmpty, admitsRequest else {
            heldFrames.append(frame)
            heldFrameBytes += Self.heldSize(frame)
            state.didHoldInput()
            _ = reserveHeldBytes(context: context)
            return
        }
        serveRdsn(frame, context: context, started: .now())
    }

    /// After a read of an RDSN connection, its ``RdsnFrameCutter`` holds `heldBytes` of an
    /// incomplete frame (0: none); `cutAny`: a frame was completed in that read. The bytes are
    /// reserved in the ``RequestBufferBudget`` and the frame's completion is timed, as for THFT.
    func noteRdsnInput(heldBytes: Int, cutAny: Bool, context: ChannelHandlerContext) {
        guard state.acceptsInput else { return }
        rdsnPartialBytes = heldBytes
        if heldBytes == 0 {
            frameStarted = nil
        } else if cutAny || frameStarted == nil {
            frameStarted = context.eventLoop.now
            armFrameTimer(context: context)
        }
        _ = reserveHeldBytes(context: context)
    }

    /// What a held RDSN request takes: its args and about its header.
    private static func heldSize(_ frame: RdsnFrame) -> Int { frame.body.readableBytes + 128 }

    /// Brings this connection's reservation in the ``RequestBufferBudget`` to the bytes it holds
    /// now; if the budget has no room, closes the connection and returns `false`.
    private func reserveHeldBytes(context: ChannelHandlerContext) -> Bool {
        let held = carry.heldBytes + heldFrameBytes + rdsnPartialBytes
        let change = held - reservedBytes
        if change < 0 {
            shared.requestBuffers.release(-change)
            reservedBytes = held
        } else if change > 0 {
            guard shared.requestBuffers.reserve(change) else {
                logger.warning(
                    "Closing connection: request buffer budget exhausted",
                    metadata: [
                        "metaproxy.held_bytes": "\(held)",
                        "metaproxy.max_buffered_request_bytes": "\(shared.requestBuffers.limit)",
                    ])
                carry.drop()
                heldFrames.removeAll()
                heldFrameBytes = 0
                rdsnPartialBytes = 0
                state.didFailInput()
                context.close(promise: nil)
                return false
            }
            reservedBytes = held
        }
        return true
    }

    /// Gives the connection's reservation back (it closed).
    private func releaseHeldBytes() {
        if reservedBytes > 0 { shared.requestBuffers.release(reservedBytes) }
        reservedBytes = 0
    }

    /// Times the incomplete frame held since ``frameStarted``: if it is still incomplete
    /// `frame_timeout` after its first byte, the connection is closed (counted). One timer per
    /// connection, armed when an incomplete frame is first held and re-armed while one is; while the
    /// proxy withholds reads (back-pressure) the frame's clock restarts instead.
    private func armFrameTimer(context: ChannelHandlerContext) {
        guard frameTimer == nil, let started = frameStarted else { return }
        let timeout = shared.settings.frameTimeout
        frameTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: started + timeout) { [self] in
            frameTimer = nil
            guard state.isOpen, frameStarted != nil else { return }
            if state.withholdsRead {
                // The proxy stopped reading (back-pressure): the rest of the frame waits on this side,
                // so its clock starts again; a client is timed only while the proxy reads.
                frameStarted = context.eventLoop.now
                return armFrameTimer(context: context)
            }
            guard let started = frameStarted, context.eventLoop.now >= started + timeout else {
                return armFrameTimer(context: context)
            }
            shared.requestBuffers.frameTimedOut()
            logger.info(
                "Closing connection: request frame incomplete after frame_timeout",
                metadata: [
                    "metaproxy.held_bytes": "\(carry.heldBytes)",
                    "metaproxy.frame_timeout": "\(timeout)",
                ])
            state.didFailInput()
            context.close(promise: nil)
        }
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

    /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` in a layout other than the usual one (one the
    /// one-pass read leaves to the general decoder): its args are decoded, then it is served like a
    /// ``QueryConfigCall``.
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
        let call = QueryConfigCall(
            table: request.appName, seqid: frame.message.seqid, clientTimeout: frame.header.clientTimeout, args: frame.args)
        serveQueryConfig(call, context: context, started: started)
    }

    /// A query-config request: routes the query to its table's effective cluster and relays the
    /// reply (``upstreamCompleted(_:result:context:)``).
    private func serveQueryConfig(_ call: QueryConfigCall, context: ChannelHandlerContext, started: NIODeadline) {
        guard state.didStartQuery() else { return }
        // A pooled query (no allocation per request) with its own copy of the args (ProxyQuery.make).
        let query = ProxyQuery.make(
            from: upstreams?.proxyQueries, table: call.table, clientSeqid: call.seqid, args: call.args,
            started: started, deadline: shared.settings.deadline(clientTimeoutMs: call.clientTimeout, now: started),
            handler: self, context: context)
        route(query, context: context, started: started)
    }

    /// Routes `query` (read at `started`) to its table's effective cluster: at once when the route
    /// is cached — through this loop's resolution of the table (``LoopUpstreams/resolution(of:routes:effective:metrics:now:)``:
    /// reused while neither the route store nor the effective routes changed) — else once it is loaded.
    private func route(_ query: ProxyQuery, context: ChannelHandlerContext, started: NIODeadline) {
        let table = query.table
        if let upstreams {
            if let resolved = upstreams.resolution(
                of: table, routes: shared.routes, effective: shared.effective, metrics: shared.metrics, now: started)
            {
                resolved.queries.increment()
                upstreams.start(query, resolved: resolved, now: started)
                return
            }
        } else if shared.routes.cachedRoute(for: table) != nil {
            countQuery(table: table)
            return answerUnavailable(query, detail: "no upstream pool on this event loop", context: context)
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
            guard state.isOpen else {
                query.recycle(into: upstreams?.proxyQueries)
                return releaseSlot(context: context)
            }
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

    /// Counts a query of `table`, which has a route (`client_query_config_count{table}`), off the
    /// resolved path (a query that waited for its route's load): the queries of a resolved table
    /// count through its ``TableResolution``.
    private func countQuery(table: String) {
        shared.metrics.queryConfigCounter(table: table).increment()
    }

    /// Starts `query`, whose route was just loaded, upstream; `now` is the current time.
    private func forward(_ query: ProxyQuery, route: Route, now: NIODeadline, context: ChannelHandlerContext) {
        guard let upstreams else {
            return answerUnavailable(query, detail: "no upstream pool on this event loop", context: context)
        }
        upstreams.start(query, cluster: shared.effective.activeCluster(for: route), now: now)
    }

    /// The upstream outcome of `query`: relays the reply under the client's seqid, or answers
    /// that no MetaServer is available.
    func upstreamCompleted(_ query: ProxyQuery, result: Result<ResponseFrame, UpstreamError>, context: ChannelHandlerContext) {
        // Nothing of this use of the query runs after its reply is encoded: back to the pool.
        defer { query.recycle(into: upstreams?.proxyQueries) }
        guard state.isOpen else { return releaseSlot(context: context) }
        if let request = query.rdsnRequest { return relayRdsn(result, to: request, query: query, context: context) }
        switch result {
        case .success(let reply):
            let capacity = 32 + reply.errorName.utf8.count + reply.message.name.utf8.count + reply.body.readableBytes
            // Nearly every reply is ERR_OK / query config ACK: its constant bytes are laid out once.
            let template = ResponseFrameTemplate.queryConfigOK
            if template.matches(errorName: reply.errorName, name: reply.message.name) {
                return finish(context: context, capacity: capacity, result: .relayed, started: query.started, now: query.completedAt) {
                    template.write(seqid: query.clientSeqid, body: reply.body, into: &$0)
                }
            }
            finish(context: context, capacity: capacity, result: .relayed, started: query.started, now: query.completedAt) {
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
        if let request = query.rdsnRequest {
            let body = RdsnFrame.body(wrapping: QueryConfigResponse(err: code))
            finish(context: context, capacity: 0, result: result, started: query.started) {
                RdsnFrame.writeReply(to: request, errorName: RdsnName(ErrorCode.ok.name), body: body, into: &$0)
            }
            return query.recycle(into: upstreams?.proxyQueries)
        }
        let reply = ResponseFrame.reply(
            requestName: RpcName.queryConfig, seqid: query.clientSeqid, result: QueryConfigResponse(err: code))
        finish(context: context, capacity: 160, result: result, started: query.started) { reply.encode(into: &$0) }
        query.recycle(into: upstreams?.proxyQueries)
    }

    /// No MetaServer of the cluster answered in time → envelope `ERR_TIMEOUT`, no body: Java and Go
    /// then try their next meta address (the proxy again, behind DNS), as after a real timeout.
    private func answerUnavailable(_ query: ProxyQuery, detail: String, context: ChannelHandlerContext) {
        if let request = query.rdsnRequest {
            return finish(context: context, capacity: 0, result: .upstreamUnavailable, started: query.started) {
                RdsnFrame.writeReply(to: request, errorName: Self.rdsnTimeout, body: nil, into: &$0)
            }
        }
        finish(context: context, capacity: 96, result: .upstreamUnavailable, started: query.started) {
            ResponseFrame.write(
                errorName: ErrorCode.timeout.name, name: RpcName.queryConfigAck, seqid: query.clientSeqid, body: nil,
                into: &$0)
        }
    }

    // MARK: - RDSN

    /// `ERR_TIMEOUT` as a header field.
    private static let rdsnTimeout = RdsnName(ErrorCode.timeout.name)

    /// Answers one RDSN request (read at `started`): `query_config` is relayed (its reply written as
    /// an RDSN frame into the connection's batched output), any other RPC is answered
    /// `ERR_HANDLER_NOT_FOUND`. The same replies, byte for byte, as translating the request to THFT
    /// and back (``RdsnThriftAdapter``), without the intermediate frames.
    private func serveRdsn(_ frame: RdsnFrame, context: ChannelHandlerContext, started: NIODeadline) {
        guard RdsnFrame.isQueryConfig(frame.header.rpcName) else {
            shared.metrics.unknownRPC()
            logger.debug("RPC without handler", metadata: ["rpc.name": "\(frame.header.rpcName)", "rpc.id": "\(frame.header.id)"])
            let header = frame.header
            return finish(context: context, capacity: 0, result: .handlerNotFound, started: started, counted: false) {
                RdsnFrame.writeReply(
                    to: header, errorName: RdsnName(ErrorCode.handlerNotFound.name), body: nil, into: &$0)
            }
        }
        let request: QueryConfigRequest
        do {
            request = try frame.decodeThriftArgs(QueryConfigRequest.self)
        } catch {
            shared.metrics.badFrame()
            logger.warning("Closing connection: unreadable query_config request", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        // A closed connection (an RDSN request read as it closed) could not be answered.
        guard state.didStartQuery() else { return }
        let query = ProxyQuery.make(
            from: upstreams?.proxyQueries, table: request.appName, rdsn: frame, started: started,
            deadline: shared.settings.deadline(clientTimeoutMs: frame.header.clientTimeoutMs, now: started),
            handler: self, context: context)
        route(query, context: context, started: started)
    }

    /// Relays the upstream outcome of an RDSN `query` as the RDSN reply to `request`. An
    /// `ERR_FORWARD_TO_OTHERS` envelope goes out as `ERR_TIMEOUT` without a body (a C++ client would
    /// read the body as a leader address); a reply body that is not result field 0 closes the
    /// connection (as ``RdsnThriftAdapter`` does).
    private func relayRdsn(
        _ result: Result<ResponseFrame, UpstreamError>, to request: RdsnHeader, query: ProxyQuery,
        context: ChannelHandlerContext
    ) {
        switch result {
        case .success(let reply):
            if reply.errorName == ErrorCode.forwardToOthers.name {
                return finish(context: context, capacity: 0, result: .relayed, started: query.started) {
                    RdsnFrame.writeReply(to: request, errorName: Self.rdsnTimeout, body: nil, into: &$0)
                }
            }
            do {
                try RdsnFrame.checkRelayedBody(reply.body)
            } catch {
                finish(context: context, capacity: 0, result: .relayed, started: query.started) { _ in }
                return errorCaught(context: context, error: error)
            }
            finish(context: context, capacity: 0, result: .relayed, started: query.started) {
                RdsnFrame.writeReply(to: request, errorName: RdsnName(reply.errorName), body: reply.body, into: &$0)
            }
        case .failure(let error):
            logger.debug(
                "Upstream query failed",
                metadata: ["metaproxy.table": "\(query.table)", "metaproxy.cluster": "\(query.cluster)", "error": "\(error)"])
            answerUnavailable(query, detail: "\(error)", context: context)
        }
    }

    /// Sends a reply (`encode` writes it; `capacity` is its size, about) and counts it.
    private func finish(
        context: ChannelHandlerContext, capacity: Int, result: ProxyMetrics.ReplyResult, started: NIODeadline,
        now: NIODeadline? = nil, counted: Bool = true, reply encode: (inout ByteBuffer) -> Void
    ) {
        let written = send(context: context, capacity: capacity, encode)
        let end = now ?? .now()
        shared.metrics.replied(result, nanoseconds: (end - started).nanoseconds)
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
        case .serveHeldInput:
            serveHeldInput(context: context)
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
        guard state.didRunDeferredFlush(), let context else { return }
        flushOutbound(context: context)
        // Requests held while this tick's replies were over the budget may go on now.
        if state.holdsInput, admitsRequest { serveHeldInput(context: context) }
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
        case .serveHeldInput:
            serveHeldInput(context: context)
        case .countPause(let counters):
            if counters.contains(.readPause) { shared.metrics.readPaused() }
            if counters.contains(.fullOutput) { shared.metrics.readPausedForFullOutput() }
        }
    }

    /// Resumes reading, or closes a draining connection, once the requests held were served.
    private func run(_ action: ProxyConnectionStateMachine.HeldInputAction, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .read:
            context.read()
        case .close:
            flushAndClose(context: context)
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
        case .serveHeldInput:
            serveHeldInput(context: context)
        }
    }
}

@available(*, unavailable)
extension ProxyConnectionHandler: Sendable {}
