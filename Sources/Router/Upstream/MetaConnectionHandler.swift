import NIOCore
import PegasusWire

/// Writes requests on one MetaServer connection and matches the replies to the waiting queries by
/// seqid (requests may be pipelined and answered in any order).
///
/// Requests come in through ``send(seqid:frame:for:)``, not through the pipeline's `write`: the
/// frame is copied into one outbound buffer that ``flush()`` writes, and the query is kept in
/// `pending`, so a request costs no boxed outbound message, no promise, no buffer of its own and no
/// entry in the channel's pending writes (the requests of a tick leave as one write).
///
/// Loop-bound: every method runs on the channel's event loop.
final class MetaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ResponseFrame
    typealias OutboundOut = ByteBuffer

    private var pending: [Int32: UpstreamQuery] = [:]
    private var failure: UpstreamError?
    private var context: ChannelHandlerContext?
    /// The requests sent since the last flush. Once its bytes are written the channel lets go of
    /// it, so clearing it keeps its storage for the next tick's requests.
    private var outbound = ByteBuffer()
    private let cluster: String
    private let meta: String

    init(cluster: String, meta: String) {
        self.cluster = cluster
        self.meta = meta
    }

    /// Number of requests waiting for a reply.
    var outstanding: Int { pending.count }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 4096)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(UpstreamError(.connectionClosed, cluster: cluster, meta: meta))
        self.context = nil
    }

    /// Queues `frame` (a request whose seqid is `seqid`; copied) until ``flush()``; `query` gets the reply
    /// (``UpstreamQuery/metaReplied(seqid:frame:)``) or, when the connection fails first,
    /// ``UpstreamQuery/metaFailed(seqid:error:)`` (at once if it has failed already).
    func send(seqid: Int32, frame: ByteBuffer, for query: UpstreamQuery) {
        guard failure == nil, context != nil else {
            query.metaFailed(seqid: seqid, error: failure ?? UpstreamError(.connectionClosed, cluster: cluster, meta: meta))
            return
        }
        pending[seqid] = query
        outbound.writeImmutableBuffer(frame)
    }

    /// Writes and flushes the requests sent so far.
    func flush() {
        guard let context, outbound.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    /// Forgets a request (its caller gave up, e.g. on timeout); a late reply is then dropped.
    func forget(seqid: Int32) {
        pending.removeValue(forKey: seqid)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // A reply for a seqid nobody waits for (timed out) is dropped, as every Pegasus client does.
        pending.removeValue(forKey: frame.message.seqid)?.metaReplied(seqid: frame.message.seqid, frame: frame)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let code: UpstreamError.Code = error is WireError ? .badReply : .connectionClosed
        failAll(UpstreamError(code, cluster: cluster, meta: meta, detail: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(UpstreamError(.connectionClosed, cluster: cluster, meta: meta))
        context.fireChannelInactive()
    }

    private func failAll(_ error: UpstreamError) {
        if failure == nil { failure = error }
        let waiting = pending
        pending.removeAll()
        for (seqid, query) in waiting { query.metaFailed(seqid: seqid, error: error) }
    }
}

@available(*, unavailable)
extension MetaConnectionHandler: Sendable {}
