import NIOCore

/// Closes a client connection with no traffic for `timeout`: sends
/// `IdleStateHandler.IdleStateEvent.all` down the pipeline, which ``ProxyConnectionHandler`` answers
/// by closing.
///
/// NIO's `IdleStateHandler(allTimeout:)` does the same but follows each write with a promise and a
/// callback (to note when it completed): several allocations per reply. Here traffic is noted once
/// per read batch (`channelReadComplete`) and once per flush, and one timer re-arms itself at the
/// last traffic plus `timeout`.
///
/// Loop-bound: one instance per channel.
final class IdleConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let timeout: TimeAmount
    private var lastTraffic = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastTraffic = context.eventLoop.now
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        lastTraffic = context.eventLoop.now
        context.flush()
    }

    /// Starts the timer (once), due `timeout` after the last traffic.
    private func arm(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        lastTraffic = context.eventLoop.now
        schedule(at: lastTraffic + timeout, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard context.channel.isActive else { return }
            let due = lastTraffic + timeout
            if context.eventLoop.now < due {
                schedule(at: due, context: context)
                return
            }
            schedule(at: context.eventLoop.now + timeout, context: context)
            context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        }
    }
}

@available(*, unavailable)
extension IdleConnectionHandler: Sendable {}
