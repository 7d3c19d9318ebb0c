import NIOCore

/// What ``AdminHTTPHandler`` tells ``AdminConnectionGuard`` (as user outbound events) about the
/// request it is handling.
enum AdminConnectionEvent: Sendable {
    /// A request head (and its end) was read: the header timer stops until the answer is written.
    case requestComplete
    /// The answer was written; the connection stays open for another request.
    case responseSent
}

/// The first handler of an admin connection, on its raw bytes: bounds how long a request head may take
/// to arrive (`headerTimeout`), how long a keep-alive connection may sit idle (`idleTimeout`) and how
/// many bytes a head may take (`maxHeadBytes`; a larger one is answered `431` and closed).
///
/// Loop-bound: one instance per channel.
final class AdminConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase {
        /// Waiting for (the rest of) a request head: `bytes` received so far; the header timer runs.
        case readingHead(bytes: Int)
        /// A request is being answered: `bytes` of a next request received meanwhile; no timer.
        case answering(bytes: Int)
        /// Keep-alive, nothing received since the last answer; the idle timer runs.
        case idle
        /// Closed or closing: nothing more happens.
        case closed
    }

    private static let headTooLarge = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    private let limits: AdminServerLimits
    private let metrics: AdminServerMetrics
    private var phase = Phase.readingHead(bytes: 0)
    private var timer: Scheduled<Void>?

    init(limits: AdminServerLimits, metrics: AdminServerMetrics) {
        self.limits = limits
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(limits.headerTimeout, reason: .headerTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil, case .readingHead = phase { arm(limits.headerTimeout, reason: .headerTimeout, context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        switch phase {
        case .closed:
            return
        case .idle:
            phase = .readingHead(bytes: count)
            arm(limits.headerTimeout, reason: .headerTimeout, context: context)
        case .readingHead(let bytes):
            phase = .readingHead(bytes: bytes + count)
        case .answering(let bytes):
            phase = .answering(bytes: bytes + count)
        }
        switch phase {
        case .readingHead(let bytes), .answering(let bytes):
            if bytes > limits.maxHeadBytes {
                refuseHeadTooLarge(context: context)
                return
            }
        case .idle, .closed:
            break
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? AdminConnectionEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed()
        switch (event, phase) {
        case (_, .closed):
            break
        case (.requestComplete, _):
            phase = .answering(bytes: 0)
            disarm()
        case (.responseSent, .answering(let bytes)) where bytes > 0:
            phase = .readingHead(bytes: bytes)
            arm(limits.headerTimeout, reason: .headerTimeout, context: context)
        case (.responseSent, .answering):
            phase = .idle
            arm(limits.idleTimeout, reason: .idleTimeout, context: context)
        case (.responseSent, .readingHead), (.responseSent, .idle):
            break
        }
    }

    private func refuseHeadTooLarge(context: ChannelHandlerContext) {
        phase = .closed
        disarm()
        metrics.connectionClosed(.headTooLarge)
        var buffer = context.channel.allocator.buffer(capacity: Self.headTooLarge.utf8.count)
        buffer.writeString(Self.headTooLarge)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func arm(_ timeout: TimeAmount, reason: AdminCloseReason, context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let handler = loopBound.value
            handler.timer = nil
            if case .closed = handler.phase { return }
            handler.phase = .closed
            handler.metrics.connectionClosed(reason)
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension AdminConnectionGuard: Sendable {}
