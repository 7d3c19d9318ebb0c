import NIOCore
import PegasusWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One fleet connection: pipelined (`depth` requests in flight, one more per reply) or paced (one
/// query, then the next `interval` after its reply, as a real client that looks up a table now and
/// then). Counts every outcome in the ``FleetTimeline`` by kind; requests with no reply within
/// `requestTimeout` are given up (counted as client timeouts) and, when pipelined, replaced.
///
/// Loop-bound: one instance per channel.
final class FleetConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ResponseFrame
    typealias OutboundOut = ByteBuffer

    /// How the connection sends.
    enum Pace: Sendable {
        /// `depth` requests kept in flight.
        case pipelined(depth: Int)
        /// One request at a time, the next one `interval` after a reply.
        case paced(interval: TimeAmount)
    }

    private let role: FleetRole
    private let pace: Pace
    private let encoder: RequestEncoder
    private let timeline: FleetTimeline
    private let control: RunControl
    private let requestTimeout: TimeAmount
    private var cursor: RequestCursor
    private var inflight: [Int32: (table: Int, sentAt: NIODeadline)] = [:]
    private var replies = 0
    private var sawReset = false
    private var timer: RepeatedTask?

    init(
        index: Int, role: FleetRole, pace: Pace, encoder: RequestEncoder, timeline: FleetTimeline, control: RunControl,
        requestTimeout: TimeAmount
    ) {
        self.role = role
        self.pace = pace
        self.encoder = encoder
        self.timeline = timeline
        self.control = control
        self.requestTimeout = requestTimeout
        self.cursor = RequestCursor(encoder: encoder, firstTable: index)
    }

    func channelActive(context: ChannelHandlerContext) {
        timeline.record(role) { $0.connects += 1 }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            loopBound.value.0.expire(context: loopBound.value.1)
        }
        switch pace {
        case .pipelined(let depth):
            for _ in 0..<depth where control.phase != .stop { send(context: context) }
        case .paced:
            if control.phase != .stop { send(context: context) }
        }
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard let pending = inflight.removeValue(forKey: reply.message.seqid) else {
            timeline.record(role) { $0.wrong += 1 }
            return
        }
        replies += 1
        let latencyMs = Double((NIODeadline.now() - pending.sentAt).nanoseconds) / 1e6
        let check = ReplyCheck.check(reply, expectedAppId: encoder.tables[pending.table].appId)
        let timeout = reply.errorName == ErrorCode.timeout.name
        timeline.record(role) { bucket in
            switch check {
            case .ok:
                bucket.ok += 1
                bucket.maxLatencyMs = max(bucket.maxLatencyMs, latencyMs)
            case .envelopeError:
                if timeout { bucket.errTimeout += 1 } else { bucket.errEnvelope += 1 }
            case .bodyError: bucket.errBody += 1
            case .wrongAppId, .undecodable: bucket.wrong += 1
            }
        }
        next(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        let lost = inflight.count
        let reset = sawReset
        let beforeReply = replies == 0
        let stopping = control.phase == .stop
        inflight.removeAll()
        if !stopping {
            timeline.record(role) { bucket in
                if reset {
                    bucket.reset += 1
                    bucket.lostReset += lost
                } else {
                    bucket.closed += 1
                    bucket.lostClosed += lost
                }
                if beforeReply { bucket.closedBeforeReply += 1 }
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE {
            sawReset = true
        } else if !(error is IOError) {
            timeline.record(role) { $0.wrong += 1 }
        } else {
            sawReset = true
        }
        context.close(promise: nil)
    }

    /// Gives up requests older than the client-side timeout.
    private func expire(context: ChannelHandlerContext) {
        let deadline = NIODeadline.now() - requestTimeout
        let expired = inflight.filter { $0.value.sentAt < deadline }.map(\.key)
        guard !expired.isEmpty else { return }
        for seqid in expired { inflight.removeValue(forKey: seqid) }
        timeline.record(role) { $0.clientTimeouts += expired.count }
        for _ in expired { next(context: context) }
        context.flush()
    }

    /// Sends the next request as the pace says.
    private func next(context: ChannelHandlerContext) {
        guard control.phase != .stop else { return }
        switch pace {
        case .pipelined:
            send(context: context)
        case .paced(let interval):
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: interval) {
                let (handler, context) = loopBound.value
                guard context.channel.isActive, handler.control.phase != .stop else { return }
                handler.send(context: context)
                context.flush()
            }
        }
    }

    private func send(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        let (seqid, table) = cursor.writeNext(into: &buffer)
        inflight[seqid] = (table, NIODeadline.now())
        context.write(wrapOutboundOut(buffer), promise: nil)
    }
}

@available(*, unavailable)
extension FleetConnectionHandler: Sendable {}
