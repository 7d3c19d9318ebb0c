import NIOCore
import PegasusWire
import RouteModel

/// Hands the THFT requests that `RdsnThriftAdapter` makes of an RDSN connection's frames to the
/// connection's ``ProxyConnectionHandler``, which reads THFT bytes itself and so cannot take
/// `RequestFrame`s through the pipeline (it serves each, or holds it until a slot is free). Errors
/// and other events pass on unchanged.
///
/// Loop-bound: one instance per channel.
final class RdsnRequestBridge: ChannelInboundHandler {
    typealias InboundIn = RequestFrame

    private let target: ProxyConnectionHandler
    private let targetContext: ChannelHandlerContext

    /// - Parameters:
    ///   - target: The connection's handler; it is told to write its replies one by one.
    ///   - targetContext: `target`'s context.
    init(target: ProxyConnectionHandler, targetContext: ChannelHandlerContext) {
        self.target = target
        self.targetContext = targetContext
        target.servesRdsn()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        target.receive(unwrapInboundIn(data), context: targetContext)
    }
}

@available(*, unavailable)
extension RdsnRequestBridge: Sendable {}
