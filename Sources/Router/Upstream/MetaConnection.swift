import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PegasusWire
import RouteModel

/// A lazily opened, reconnecting connection from one event loop to one MetaServer.
///
/// Loop-bound: created and used only on `eventLoop`. Many queries share the connection
/// (pipelined, matched by the proxy's own seqids).
final class MetaConnection: DeferredFlushing {
    private enum State {
        case idle
        case connecting
        case connected(any Channel, MetaConnectionHandler)
        case closed
    }

    /// A request waiting for the connection to open.
    private struct Waiting {
        var seqid: Int32
        var frame: ByteBuffer
        var query: UpstreamQuery
    }

    let address: Endpoint
    /// The MetaServer's position in its cluster's list, `nil` when it is not in it.
    let index: Int?
    /// `address` as text (`host:port`), made once: metrics and errors name the MetaServer per query.
    let name: String
    let cluster: String
    private let eventLoop: any EventLoop
    private let flushes: LoopFlushes
    private let settings: UpstreamSettings
    private var state: State = .idle
    /// Requests made while connecting, written (or failed) when the connect completes.
    private var waiting: [Waiting] = []
    /// The bytes of the frames in `waiting` (bounded by `settings.maxQueuedBytes`).
    private var waitingBytes = 0
    /// The connection written to since the last flush, if any (see ``write(_:seqid:frame:for:)``).
    private var unflushed: MetaConnectionHandler?

    /// - Parameter index: The MetaServer's position in its cluster's list (`nil`: not in it).
    init(
        address: Endpoint, index: Int? = nil, cluster: String, eventLoop: any EventLoop, flushes: LoopFlushes,
        settings: UpstreamSettings
    ) {
        self.address = address
        self.index = index
        self.name = address.description
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.flushes = flushes
        self.settings = settings
    }

    /// Sends `request`; `query` gets the matching reply through
    /// ``UpstreamQuery/metaReplied(seqid:frame:)`` or a failure through
    /// ``UpstreamQuery/metaFailed(seqid:error:)`` (possibly before this returns).
    ///
    /// Connects first when needed, within `connectTimeout`. The caller applies its own reply timeout
    /// and calls ``forget(seqid:)`` when it gives up.
    func send(_ request: UpstreamRequest, for query: UpstreamQuery, connectTimeout: TimeAmount) {
        switch state {
        // The handler knows whether its channel is still usable: asking the channel costs retains
        // and an atomic read per request.
        case .connected(_, let handler) where handler.isUsable:
            handler.send(request, for: query)
            flushAtEndOfTick(handler)
        case .connecting:
            wait(seqid: request.seqid, frame: request.encoded(), for: query)
        case .idle, .connected:
            wait(seqid: request.seqid, frame: request.encoded(), for: query)
            connect(timeout: connectTimeout)
        case .closed:
            query.metaFailed(seqid: request.seqid, error: UpstreamError(.shuttingDown, cluster: cluster, meta: name))
        }
    }

    /// Keeps a request until the connect completes, within the `maxQueuedBytes` budget (a request
    /// alone always waits); past it the request fails at once with ``UpstreamError/Code/queueFull``.
    private func wait(seqid: Int32, frame: ByteBuffer, for query: UpstreamQuery) {
        guard waiting.isEmpty || waitingBytes + frame.readableBytes <= settings.maxQueuedBytes else {
            query.metaFailed(
                seqid: seqid,
                error: UpstreamError(
                    .queueFull, cluster: cluster, meta: name,
                    detail: "more than \(settings.maxQueuedBytes) request bytes waiting for the connection"))
            return
        }
        waitingBytes += frame.readableBytes
        waiting.append(Waiting(seqid: seqid, frame: frame, query: query))
    }

    /// Drops interest in a reply (after a timeout) and counts the timeout against the connection.
    /// - Returns: `true` when the connection was closed for it (``ConnectionHealth``): the next
    ///   request opens a new one.
    func timedOut(seqid: Int32) -> Bool {
        guard case .connected(_, let handler) = state else { return false }
        return handler.timedOut(seqid: seqid)
    }

    /// Request bytes not yet written: waiting for the connect, or queued on the connection.
    var queuedBytes: Int {
        if case .connected(_, let handler) = state { return waitingBytes + handler.queuedBytes }
        return waitingBytes
    }

    /// Closes the connection for good.
    func close() {
        if case .connected(let channel, _) = state { channel.close(promise: nil) }
        state = .closed
    }

    /// Writes a request and flushes at the end of this event loop tick (``LoopFlushes``): the
    /// requests of every client read in one tick leave in one flush (one `writev`) instead of one
    /// syscall each.
    private func write(_ handler: MetaConnectionHandler, seqid: Int32, frame: ByteBuffer, for query: UpstreamQuery) {
        handler.send(seqid: seqid, frame: frame, for: query)
        flushAtEndOfTick(handler)
    }

    /// Asks for `handler`'s flush at the end of this tick, once per tick.
    private func flushAtEndOfTick(_ handler: MetaConnectionHandler) {
        if let pending = unflushed {
            if pending === handler { return }
            // Reconnected within the tick: the old channel's requests go now, the flush asked
            // for this tick is the new one's.
            pending.flush()
            unflushed = handler
            return
        }
        unflushed = handler
        flushes.flushLater(self)
    }

    func flushDeferred() {
        guard let pending = unflushed else { return }
        unflushed = nil
        pending.flush()
    }

    /// Hands the requests made while connecting to `handler`, or fails them with `error`.
    private func release(to handler: MetaConnectionHandler?, error: UpstreamError) {
        let released = waiting
        waiting.removeAll()
        waitingBytes = 0
        for request in released {
            if let handler {
                write(handler, seqid: request.seqid, frame: request.frame, for: request.query)
            } else {
                request.query.metaFailed(seqid: request.seqid, error: error)
            }
        }
    }

    private func connect(timeout: TimeAmount) {
        let cluster = self.cluster
        let meta = name
        let settings = self.settings
        state = .connecting
        let budget = settings.maxQueuedBytes
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            // Writability turns off once `maxQueuedBytes` are unwritten: the handler then refuses requests.
            .channelOption(.writeBufferWaterMark, value: .init(low: max(1, budget / 2), high: max(1, budget)))
            // One connection carries every query of this loop to the MetaServer: a wakeup drains
            // the replies of many clients (~600 bytes each) in few, large reads.
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 16 << 10, maximum: 256 << 10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MetaConnectionHandler(
                            cluster: cluster, meta: meta, maxFrameBytes: settings.maxFrameBytes,
                            maxQueuedBytes: settings.maxQueuedBytes,
                            maxConsecutiveTimeouts: settings.maxConsecutiveTimeouts))
                }
            }
        bootstrap = Self.keepalive(bootstrap, settings: settings)
        bootstrap.connect(host: address.host, port: address.port)
            .assumeIsolated()
            .whenComplete { [self] result in connected(result) }
    }

    private func connected(_ result: Result<any Channel, any Error>) {
        guard case .connecting = state else {
            if case .success(let channel) = result { channel.close(promise: nil) }
            return release(to: nil, error: UpstreamError(.shuttingDown, cluster: cluster, meta: name))
        }
        switch result {
        case .success(let channel):
            do {
                let handler = try channel.pipeline.syncOperations.handler(type: MetaConnectionHandler.self)
                state = .connected(channel, handler)
                channel.closeFuture.assumeIsolated().whenComplete { [self] _ in
                    if case .connected(let current, _) = state, current === channel { state = .idle }
                }
                release(to: handler, error: UpstreamError(.connectionClosed, cluster: cluster, meta: name))
            } catch {
                channel.close(promise: nil)
                state = .idle
                release(
                    to: nil,
                    error: UpstreamError(
                        .connectFailed, cluster: cluster, meta: name,
                        detail: ConnectionErrorText.describe(anyConnectionError: error) ?? "\(error)"))
            }
        case .failure(let error):
            state = .idle
            release(
                to: nil,
                error: UpstreamError(
                    .connectFailed, cluster: cluster, meta: name,
                    detail: ConnectionErrorText.describe(anyConnectionError: error) ?? "\(error)"))
        }
    }
}

extension MetaConnection {
    /// `bootstrap` with TCP keepalive as `settings` ask (none when `keepaliveIdle` is zero): a
    /// flow lost without FIN or RST is then found dead by the kernel even when no query waits.
    static func keepalive(_ bootstrap: ClientBootstrap, settings: UpstreamSettings) -> ClientBootstrap {
        guard settings.keepaliveIdle > .zero else { return bootstrap }
        let idle = max(1, Int(settings.keepaliveIdle.nanoseconds / 1_000_000_000))
        let interval = max(1, Int(settings.keepaliveInterval.nanoseconds / 1_000_000_000))
        let count = max(1, settings.keepaliveCount)
        #if os(Linux)
        let idleOption = NIOBSDSocket.Option(rawValue: CInt(TCP_KEEPIDLE))
        #else
        let idleOption = NIOBSDSocket.Option(rawValue: CInt(TCP_KEEPALIVE))
        #endif
        return
            bootstrap
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(idleOption), value: SocketOptionValue(clamping: idle))
            .channelOption(.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_KEEPINTVL))), value: SocketOptionValue(clamping: interval))
            .channelOption(.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_KEEPCNT))), value: SocketOptionValue(clamping: count))
    }
}

@available(*, unavailable)
extension MetaConnection: Sendable {}
