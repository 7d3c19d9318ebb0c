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
/// Bounds (issue 13): requests are not queued beyond `maxQueuedBytes` unwritten bytes (the
/// channel's write buffer, whose high water mark is the same budget, plus this tick's batch):
/// past it ``send(seqid:frame:for:)`` fails the request at once with
/// ``UpstreamError/Code/queueFull``. And ``ConnectionHealth`` closes a connection on which
/// attempts keep timing out with nothing received (``timedOut(seqid:)``).
///
/// Loop-bound: every method runs on the channel's event loop.
final class MetaConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var decoder: ResponseFrameDecoder
    /// The bytes of a reply not yet complete at the end of the last read, in the connection's own
    /// reused storage (``FrameCarry``).
    private var carry = FrameCarry()
    private var pending = PendingReplies()
    private var failure: UpstreamError?
    private var context: ChannelHandlerContext?
    /// The requests sent since the last flush. Once its bytes are written the channel lets go of
    /// it, so clearing it keeps its storage for the next tick's requests.
    private var outbound = ByteBuffer()
    private let cluster: String
    private let meta: String
    private let maxQueuedBytes: Int
    /// Whether the channel takes more writes: false while its write buffer is above the high water mark.
    private var writable = true
    private var health: ConnectionHealth

    /// - Parameters:
    ///   - maxFrameBytes: The largest reply accepted, length prefix included.
    ///   - maxQueuedBytes: The most unwritten request bytes this tick's batch may hold (the channel's
    ///     write buffer water mark bounds the rest).
    ///   - maxConsecutiveTimeouts: Attempt timeouts in a row, with nothing received, that close the connection.
    init(cluster: String, meta: String, maxFrameBytes: Int, maxQueuedBytes: Int = 8 << 20, maxConsecutiveTimeouts: Int = 2) {
        self.cluster = cluster
        self.meta = meta
        self.decoder = ResponseFrameDecoder(maxFrameBytes: maxFrameBytes)
        self.maxQueuedBytes = maxQueuedBytes
        self.health = ConnectionHealth(maxConsecutiveTimeouts: maxConsecutiveTimeouts)
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
        guard admit(seqid: seqid, bytes: frame.readableBytes, for: query) else { return }
        outbound.writeImmutableBuffer(frame)
    }

    /// Encodes `request` into this tick's batch (no intermediate buffer), as ``send(seqid:frame:for:)``.
    func send(_ request: UpstreamRequest, for query: UpstreamQuery) {
        guard admit(seqid: request.seqid, bytes: request.byteCount, for: query) else { return }
        request.encode(into: &outbound)
    }

    /// Registers `query` as waiting for `seqid`'s reply if a request of `bytes` may be queued now;
    /// otherwise fails it (connection failed or closed, or the batch over `maxQueuedBytes`).
    private func admit(seqid: Int32, bytes: Int, for query: UpstreamQuery) -> Bool {
        guard failure == nil, context != nil else {
            query.metaFailed(seqid: seqid, error: failure ?? UpstreamError(.connectionClosed, cluster: cluster, meta: meta))
            return false
        }
        // A request alone in its batch always goes (however large) when the channel is writable.
        guard writable, outbound.readableBytes == 0 || outbound.readableBytes + bytes <= maxQueuedBytes else {
            query.metaFailed(
                seqid: seqid,
                error: UpstreamError(
                    .queueFull, cluster: cluster, meta: meta,
                    detail: "more than \(maxQueuedBytes) request bytes unwritten (the MetaServer is not reading)"))
            return false
        }
        pending.insert(query, for: seqid)
        return true
    }

    /// Request bytes not yet written to the socket: this tick's batch plus the channel's write buffer.
    var queuedBytes: Int {
        let buffered = (try? context?.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return outbound.readableBytes + buffered
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    /// Writes and flushes the requests sent so far.
    func flush() {
        guard let context, outbound.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    /// Forgets a request (its caller gave up, e.g. on timeout); a late reply is then dropped.
    func forget(seqid: Int32) {
        _ = pending.remove(seqid)
    }

    /// Forgets a request whose attempt timed out, and counts the timeout (``ConnectionHealth``).
    /// - Returns: `true` when that closed the connection (its other requests fail with
    ///   ``UpstreamError/Code/stalled``; the bytes it held are released).
    func timedOut(seqid: Int32) -> Bool {
        _ = pending.remove(seqid)
        guard let context, failure == nil, health.timedOut() == .replace else { return false }
        failAll(
            UpstreamError(
                .stalled, cluster: cluster, meta: meta,
                detail: "\(health.consecutiveTimeouts) attempt timeouts in a row with nothing received"))
        context.close(promise: nil)
        return true
    }

    /// Hands every whole reply read so far to its query; keeps an incomplete one's bytes.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        health.received()
        let own = carry.holdsBytes
        guard var input = carry.input(adding: unwrapInboundIn(data)) else { return }
        // One clock read per read: the replies of one read arrived together.
        let now = NIODeadline.now()
        do {
            while let frame = try decoder.decode(buffer: &input) {
                // A reply for a seqid nobody waits for (timed out) is dropped, as every Pegasus client does.
                pending.remove(frame.message.seqid)?.metaReplied(
                    seqid: frame.message.seqid, frame: frame, now: now)
            }
        } catch {
            errorCaught(context: context, error: error)
            return
        }
        carry.keep(&input, own: own)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let code: UpstreamError.Code = error is WireError ? .badReply : .connectionClosed
        failAll(UpstreamError(code, cluster: cluster, meta: meta, detail: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        carry.drop()
        failAll(UpstreamError(.connectionClosed, cluster: cluster, meta: meta))
        context.fireChannelInactive()
    }

    private func failAll(_ error: UpstreamError) {
        if failure == nil { failure = error }
        for (seqid, query) in pending.removeAll() { query.metaFailed(seqid: seqid, error: error) }
    }
}

@available(*, unavailable)
extension MetaConnectionHandler: Sendable {}
