import NIOCore
import PegasusWire
import RouteModel

/// One client query on its way through the proxy: the upstream query plus what the reply to the
/// client needs (its seqid, when it arrived, its table). Its outcome goes back to the connection's
/// handler, with no promise or closure in between.
///
/// Loop-bound, like its handler.
final class ProxyQuery: UpstreamQuery {
    /// The table queried.
    let table: String
    /// The client's seqid, under which the reply is relayed.
    let clientSeqid: Int32
    /// When the request was read.
    let started: NIODeadline
    private let handler: ProxyConnectionHandler
    private let context: ChannelHandlerContext

    init(
        table: String, clientSeqid: Int32, args: ByteBuffer, started: NIODeadline, deadline: NIODeadline,
        handler: ProxyConnectionHandler, context: ChannelHandlerContext
    ) {
        self.table = table
        self.clientSeqid = clientSeqid
        self.started = started
        self.handler = handler
        self.context = context
        super.init(name: RpcName.queryConfig, args: args, deadline: deadline, followsForwards: true)
    }

    /// A client may get a reply up to `meta.coalesce_window` old (it caches the partition
    /// configuration far longer anyway).
    override var acceptsRecentReply: Bool { true }

    override func completed(_ result: Result<ResponseFrame, UpstreamError>) {
        handler.upstreamCompleted(self, result: result, context: context)
    }
}
