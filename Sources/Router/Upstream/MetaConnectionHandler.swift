import NIOCore
import PegasusWire
import RouteModel

/// Writes requests on one MetaServer connection and matches the replies to the waiting queries by
/// seqid (requests may be pipelined and answered in any order).
///
/// Requests come in through ``send(seqid:frame:for:)``, not through the pipeline's `write`: the
/// frame is copied into one outbound buffer that ``flush()`` writes, and the query is kept in
/// `pending`, so a request costs no boxed outbound message, no promise, no buffer of its own and no
/// entry in the channel's pending writes (the requests of a tick leave as one write).
///
/// Replies are cut from each read buffer in place (``ResponseFrameDecoder``); only the bytes of
/// an incomplete frame are kept until the next read. A malformed reply fails every query waiting
/// on the connection and closes it.
///
/// Loop-bound: every method runs on the channel's event loop.
final class MetaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var decoder: ResponseFrameDecoder
    /// The bytes of a reply not yet complete at the end of the last read.
    private var partial: ByteBuffer?
    private var pending: [Int32: UpstreamQuery] = [:]
    private var failure: UpstreamError?
    private var context: ChannelHandlerContext?
    /// The requests sent since the last flush. Once its bytes are written the channel lets go of
    /// it, so clearing it keeps its storage for the next tick's requests.
    private var outbound = ByteBuffer()
    private let cluster: String
    private let meta: String

    /// - Parameter maxFrameBytes: The largest reply accepted, length prefix included.
    init(cluster: String, meta: String, maxFrameBytes: Int) {
        self.cluster = cluster
        self.meta = meta
        self.decoder = ResponseFrameDecoder(maxFrameBytes: maxFrameBytes)
    }

    /// Whether requests may still be sent: the connection is in its pipeline and has not failed or closed.
    var isUsable: Bool { failure == nil && context != nil }

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

    /// Hands every whole reply read so far to its query; keeps an incomplete one's bytes.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        var input = unwrapInboundIn(data)
        if var held = partial {
            partial = nil
            held.writeBuffer(&input)
            input = held
        }
        do {
            while let frame = try decoder.decode(buffer: &input) {
                // A reply for a seqid nobody waits for (timed out) is dropped, as every Pegasus client does.
                pending.removeValue(forKey: frame.message.seqid)?.metaReplied(seqid: frame.message.seqid, frame: frame)
            }
        } catch {
            errorCaught(context: context, error: error)
            return
        }
        if input.readableBytes > 0 { partial = input }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let code: UpstreamError.Code = error is WireError ? .badReply : .connectionClosed
        failAll(UpstreamError(code, cluster: cluster, meta: meta, detail: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partial = nil
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
