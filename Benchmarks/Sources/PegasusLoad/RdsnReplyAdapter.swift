import NIOCore
import PegasusWire

/// Turns RDSN reply frames into `ResponseFrame`s for ``LoadConnectionHandler``: the header's
/// `server.error_name` becomes the envelope error, its id the seqid, and the body (the result
/// wrapper, field 0 STRUCT) is kept as is, so ``ReplyCheck`` reads both formats alike.
final class RdsnReplyAdapter: ChannelInboundHandler {
    typealias InboundIn = RdsnFrame
    typealias InboundOut = ResponseFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let reply = ResponseFrame(
            errorName: frame.header.errorName.text,
            message: ThriftMessageHeader(
                name: frame.header.rpcName.text, type: .reply,
                seqid: Int32(bitPattern: UInt32(truncatingIfNeeded: frame.header.id))),
            body: frame.body)
        context.fireChannelRead(wrapInboundOut(reply))
    }
}

@available(*, unavailable)
extension RdsnReplyAdapter: Sendable {}
