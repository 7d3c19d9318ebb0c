import Histogram
import NIOCore
import PegasusWire

/// One client connection of the load: keeps up to `depth` QueryConfig requests in flight
/// (pipelined), checks every reply (seqid, envelope, body `err`, `app_id`) and records its latency.
///
/// Idle until it receives ``StartLoad``; writes made while handling a batch of reads are flushed
/// once, in `channelReadComplete`. Loop-bound: one instance per channel.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ResponseFrame
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var table: Int
        var sentAt: UInt64
    }

    private let encoder: RequestEncoder
    private let stats: LoopStats
    private let control: RunControl
    private var cursor: RequestCursor
    private var inflight: [Int32: Pending] = [:]
    private var unflushed = false

    /// - Parameters:
    ///   - index: the connection's number; it picks the first table (`index × tableStride`), so tables are mixed.
    init(index: Int, encoder: RequestEncoder, stats: LoopStats, control: RunControl) {
        self.encoder = encoder
        self.stats = stats
        self.control = control
        self.cursor = RequestCursor(encoder: encoder, firstTable: index * encoder.tableStride)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let start = event as? StartLoad else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        for _ in 0..<start.depth where control.takeRequest() {
            send(context: context)
        }
        flushIfNeeded(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now().uptimeNanoseconds
        let reply = unwrapInboundIn(data)
        guard let pending = inflight.removeValue(forKey: reply.message.seqid) else {
            stats.counters.unexpectedSeqid += 1
            return
        }
        stats.outstanding -= 1
        stats.counters.replies += 1
        let check = ReplyCheck.check(reply, expectedAppId: encoder.tables[pending.table].appId)
        stats.counters.count(check)
        if control.phase == .measure {
            _ = stats.latency.record(max(1, (now &- pending.sentAt) / 1000))
            if case .ok = check { stats.counters.measured += 1 }
        }
        if control.takeRequest() {
            send(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stats.counters.lost += inflight.count
        stats.counters.closedConnections += 1
        stats.outstanding -= inflight.count
        inflight.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        stats.counters.badFrames += 1
        context.close(promise: nil)
    }

    private func send(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        let (seqid, table) = cursor.writeNext(into: &buffer)
        inflight[seqid] = Pending(table: table, sentAt: NIODeadline.now().uptimeNanoseconds)
        stats.outstanding += 1
        stats.counters.sent += 1
        context.write(wrapOutboundOut(buffer), promise: nil)
        unflushed = true
    }

    private func flushIfNeeded(context: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }
}

@available(*, unavailable)
extension LoadConnectionHandler: Sendable {}
