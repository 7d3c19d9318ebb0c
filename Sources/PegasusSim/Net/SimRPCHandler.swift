import Logging
import NIOCore
import PegasusWire

/// Answers decoded THFT requests of one connection, each on its own: after the node's latency,
/// never (hung node), or by closing the connection. A frame the decoder rejects closes it too,
/// as rDSN closes a session whose parser fails (docs/pegasus-reference.md §2). Replies without latency are
/// flushed once per read (at read complete, or before a close), not one by one.
final class SimRPCHandler: ChannelInboundHandler {
    typealias InboundIn = RequestFrame
    typealias OutboundOut = ResponseFrame

    private let respond: @Sendable (RequestFrame) -> SimOutcome<ResponseFrame>
    private let logger: Logger
    /// Whether replies were written since the last flush.
    private var unflushed = false

    /// Creates a handler.
    init(logger: Logger, respond: @escaping @Sendable (RequestFrame) -> SimOutcome<ResponseFrame>) {
        self.logger = logger
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let outcome = respond(frame)
        logger.trace(
            "rpc request",
            metadata: [SimLoggingKeys.rpcName: "\(frame.message.name)", SimLoggingKeys.seqid: "\(frame.message.seqid)"]
        )
        switch outcome {
        case .reply(let reply, let delay):
            send(reply, after: delay, context: context)
        case .later(let future):
            future.hop(to: context.eventLoop).assumeIsolated().whenSuccess { reply in
                context.writeAndFlush(self.wrapOutboundOut(reply), promise: nil)
            }
        case .noReply:
            break
        case .close(let reason):
            logger.debug("closing rpc connection", metadata: [SimLoggingKeys.error: "\(reason)"])
            flushReplies(context: context)
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushReplies(context: context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("closing rpc connection after a bad frame", metadata: [SimLoggingKeys.error: "\(error)"])
        flushReplies(context: context)
        context.close(promise: nil)
    }

    private func flushReplies(context: ChannelHandlerContext) {
        guard unflushed else {
            return
        }
        unflushed = false
        context.flush()
    }

    private func send(_ reply: ResponseFrame, after delay: TimeAmount, context: ChannelHandlerContext) {
        guard delay > .zero else {
            context.write(wrapOutboundOut(reply), promise: nil)
            unflushed = true
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            guard context.channel.isActive else {
                return
            }
            context.writeAndFlush(self.wrapOutboundOut(reply), promise: nil)
        }
    }
}
