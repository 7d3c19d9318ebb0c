import NIOCore
import PegasusWire
import RouteModel

/// Counts the requests of an `RDSN` connection (`metaproxy_rdsn_requests_total`) on their way from
/// the RDSN decoder to the THFT adapter; passes every frame on unchanged.
///
/// Loop-bound: one instance per channel.
final class RdsnRequestCounter: ChannelInboundHandler {
    typealias InboundIn = RdsnFrame
    typealias InboundOut = RdsnFrame

    private let metrics: ProxyMetrics

    init(metrics: ProxyMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        metrics.rdsnRequest()
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension RdsnRequestCounter: Sendable {}
