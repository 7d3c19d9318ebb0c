import NIOCore
import NIOPosix
import PegasusWire

/// A lazily opened, reconnecting connection from one event loop to one MetaServer.
///
/// Loop-bound: created and used only on `eventLoop`. Many queries share the connection
/// (pipelined, matched by the proxy's own seqids).
final class MetaConnection {
    private enum State {
        case idle
        case connecting(EventLoopFuture<any Channel>)
        case connected(any Channel, MetaConnectionHandler)
        case closed
    }

    let address: MetaAddress
    /// `address` as text (`host:port`), made once: metrics and errors name the MetaServer per query.
    let name: String
    let cluster: String
    private let eventLoop: any EventLoop
    private let maxFrameBytes: Int
    private var state: State = .idle
    /// The channel written to since the last flush, if any (see ``write(channel:call:)``).
    private var unflushed: (any Channel)?

    init(address: MetaAddress, cluster: String, eventLoop: any EventLoop, maxFrameBytes: Int) {
        self.address = address
        self.name = address.description
        self.cluster = cluster
        self.eventLoop = eventLoop
        self.maxFrameBytes = maxFrameBytes
    }

    /// Sends `frame` (a request whose seqid is `seqid`) and returns the matching reply.
    ///
    /// Connects first when needed, within `connectTimeout`. The caller applies its own reply timeout
    /// and calls ``forget(seqid:)`` when it gives up.
    func send(seqid: Int32, frame: ByteBuffer, connectTimeout: TimeAmount) -> EventLoopFuture<ResponseFrame> {
        let promise = eventLoop.makePromise(of: ResponseFrame.self)
        switch state {
        case .connected(let channel, _) where channel.isActive:
            write(channel: channel, call: MetaCall(seqid: seqid, frame: frame, promise: promise))
        case .connecting(let future):
            future.assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    write(channel: channel, call: MetaCall(seqid: seqid, frame: frame, promise: promise))
                case .failure(let error):
                    promise.fail(error)
                }
            }
        case .idle, .connected:
            connect(timeout: connectTimeout).assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    write(channel: channel, call: MetaCall(seqid: seqid, frame: frame, promise: promise))
                case .failure(let error):
                    promise.fail(error)
                }
            }
        case .closed:
            promise.fail(UpstreamError(.shuttingDown, cluster: cluster, meta: name))
        }
        return promise.futureResult
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

    /// Writes `call` and flushes at the end of this event loop tick: the requests of every client
    /// read in one tick leave in one flush (one `writev`) instead of one syscall each.
    private func write(channel: any Channel, call: MetaCall) {
        channel.write(call, promise: nil)
        if let pending = unflushed {
            if pending === channel { return }
            pending.flush()
        }
        unflushed = channel
        eventLoop.assumeIsolated().execute { [self] in
            guard let pending = unflushed else { return }
            unflushed = nil
            pending.flush()
        }
    }

    private func connect(timeout: TimeAmount) -> EventLoopFuture<any Channel> {
        let cluster = self.cluster
        let meta = name
        let maxFrameBytes = self.maxFrameBytes
        let future = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(ResponseFrameDecoder(maxFrameBytes: maxFrameBytes)))
                    try sync.addHandler(MetaConnectionHandler(cluster: cluster, meta: meta))
                }
            }
            .connect(host: address.host, port: address.port)
            .flatMapErrorThrowing { error in
                throw UpstreamError(.connectFailed, cluster: cluster, meta: meta, detail: "\(error)")
            }
        state = .connecting(future)
        future.assumeIsolated().whenComplete { [self] result in
            guard case .connecting = state else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let channel):
                do {
                    let handler = try channel.pipeline.syncOperations.handler(type: MetaConnectionHandler.self)
                    state = .connected(channel, handler)
                    channel.closeFuture.assumeIsolated().whenComplete { [self] _ in
                        if case .connected(let current, _) = state, current === channel { state = .idle }
                    }
                } catch {
                    channel.close(promise: nil)
                    state = .idle
                }
            case .failure:
                state = .idle
            }
        }
        return future
    }
}

@available(*, unavailable)
extension MetaConnection: Sendable {}
