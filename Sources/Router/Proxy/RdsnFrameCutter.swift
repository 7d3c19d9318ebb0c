import NIOCore
import PegasusWire
import RouteModel

/// Cuts an `RDSN` connection's bytes into `RdsnFrame`s (``RdsnFrameDecoder`` run over each read
/// buffer in place, like the THFT path of ``ProxyConnectionHandler``), counts each
/// (`metaproxy_rdsn_requests_total`) and hands it to the connection's handler by a direct call
/// (``ProxyConnectionHandler/receiveRdsn(_:context:)``: no `NIOAny` box, no pipeline hop), and
/// keeps the bytes of an incomplete frame until the next read. Unlike NIO's `ByteToMessageHandler`, it tells the
/// connection's handler what it holds after each read
/// (``ProxyConnectionHandler/noteRdsnInput(heldBytes:cutAny:context:)``), so an incomplete RDSN
/// frame is reserved in the proxy's ``RequestBufferBudget`` and timed by `server.frame_timeout` as a
/// THFT one is. A malformed frame is passed on as an error (the handler closes the connection).
///
/// Loop-bound: one instance per channel.
final class RdsnFrameCutter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder: RdsnFrameDecoder
    private var partial: ByteBuffer?
    private var failed = false
    private let target: ProxyConnectionHandler
    private let targetContext: ChannelHandlerContext
    private let metrics: ProxyMetrics

    /// - Parameters:
    ///   - maxFrameBytes: The largest frame accepted, header included.
    ///   - target: The connection's handler: it serves the frames and is told what is held after
    ///     each read.
    ///   - targetContext: `target`'s context.
    ///   - metrics: Where RDSN requests are counted.
    init(maxFrameBytes: Int, target: ProxyConnectionHandler, targetContext: ChannelHandlerContext, metrics: ProxyMetrics) {
        self.metrics = metrics
        self.decoder = RdsnFrameDecoder(maxFrameBytes: maxFrameBytes)
        self.target = target
        self.targetContext = targetContext
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var input = unwrapInboundIn(data)
        if var held = partial {
            partial = nil
            held.writeBuffer(&input)
            input = held
        }
        var cutAny = false
        do {
            while let frame = try decoder.decode(buffer: &input) {
                cutAny = true
                metrics.rdsnRequest()
                target.receiveRdsn(frame, context: targetContext)
            }
        } catch {
            failed = true
            context.fireErrorCaught(error)
            return
        }
        partial = input.readableBytes > 0 ? input : nil
        target.noteRdsnInput(heldBytes: input.readableBytes, cutAny: cutAny, context: targetContext)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partial = nil
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension RdsnFrameCutter: Sendable {}
