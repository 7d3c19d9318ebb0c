import NIOCore
import NIOPosix
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
    /// `address` as text (`host:port`), made once: metrics and errors name the MetaServer per query.
    let name: String
    let cluster: String
    private let eventLoop: any EventLoop
    private let flushes: LoopFlushes
    private let maxFrameBytes: Int
    private var state: State = .idle
    /// Requests made while connecting, written (or failed) when the connect completes.
    private var waiting: [Waiting] = []
    /// The connection written to since the last flush, if any (see ``write(_:seqid:frame:for:)``).
    private var unflushed: MetaConnectionHandler?

    init(address: Endpoint, cluster: String, eventLoop: any EventLoop, flushes: LoopFlushes, maxFrameBytes: Int) {
        self.address = address
        self.name = address.description
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.flushes = flushes
        self.maxFrameBytes = maxFrameBytes
    }

    /// Sends `frame` (a request whose seqid is `seqid`); `query` gets the matching reply through
    /// ``UpstreamQuery/metaReplied(seqid:frame:)`` or a failure through
    /// ``UpstreamQuery/metaFailed(seqid:error:)`` (possibly before this returns).
    ///
    /// Connects first when needed, within `connectTimeout`. The caller applies its own reply timeout
    /// and calls ``forget(seqid:)`` when it gives up.
    func send(seqid: Int32, frame: ByteBuffer, for query: UpstreamQuery, connectTimeout: TimeAmount) {
        switch state {
        // The handler knows whether its channel is still usable: asking the channel costs retains
        // and an atomic read per request.
        case .connected(_, let handler) where handler.isUsable:
            write(handler, seqid: seqid, frame: frame, for: query)
        case .connecting:
            waiting.append(Waiting(seqid: seqid, frame: frame, query: query))
        case .idle, .connected:
            waiting.append(Waiting(seqid: seqid, frame: frame, query: query))
            connect(timeout: connectTimeout)
        case .closed:
            query.metaFailed(seqid: seqid, error: UpstreamError(.shuttingDown, cluster: cluster, meta: name))
        }
    }

    /// Drops interest in a reply (after a timeout).
    func forget(seqid: Int32) {
        if case .connected(_, let handler) = state { handler.forget(seqid: seqid) }
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
        let maxFrameBytes = self.maxFrameBytes
        state = .connecting
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            // One connection carries every query of this loop to the MetaServer: a wakeup drains
            // the replies of many clients (~600 bytes each) in few, large reads.
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 16 << 10, maximum: 256 << 10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MetaConnectionHandler(cluster: cluster, meta: meta, maxFrameBytes: maxFrameBytes))
                }
            }
            .connect(host: address.host, port: address.port)
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
                release(to: nil, error: UpstreamError(.connectFailed, cluster: cluster, meta: name, detail: "\(error)"))
            }
        case .failure(let error):
            state = .idle
            release(to: nil, error: UpstreamError(.connectFailed, cluster: cluster, meta: name, detail: "\(error)"))
        }
    }
}

@available(*, unavailable)
extension MetaConnection: Sendable {}
