import NIOCore
import PegasusWire
import RouteModel

/// One client query on its way through the proxy: the upstream query plus what the reply to the
/// client needs (its seqid, when it arrived, its table). Its outcome goes back to the connection's
/// handler, with no promise or closure in between.
///
/// Pooled: every relayed request needs one, so instead of allocating (and freeing) one object and
/// one args buffer per request, a query that has delivered its outcome goes back to its event
/// loop's ``FreeList`` (``recycle(into:)``) and the next request of that loop reuses it, args
/// storage included (``make(from:...)``). A reused query is a new use: late events of the old one
/// carry an old seqid (replies, connects, timers) or generation (a shared call's joiners) and are
/// ignored (``UpstreamQuery/prepareForReuse()``). While pooled it holds no handler or context, so
/// a pooled query keeps no closed connection alive.
///
/// Loop-bound, like its handler.
final class ProxyQuery: UpstreamQuery {
    /// The table queried.
    private(set) var table: String
    /// The client's seqid, under which the reply is relayed.
    private(set) var clientSeqid: Int32
    /// When the request was read.
    private(set) var started: NIODeadline
    /// The header of the RDSN request this query answers (its reply is an RDSN frame built from
    /// it); `nil` for a THFT request.
    private(set) var rdsnRequest: RdsnHeader?
    /// The connection's handler and context while the query is in use; `nil` while pooled.
    private var handler: ProxyConnectionHandler?
    private var context: ChannelHandlerContext?

    /// An args buffer grown past this (an unusual request) is not kept when the query is pooled.
    static let keptArgsCapacity = 1024
    /// The most queries a loop keeps for reuse: about the queries in flight on a busy loop (64
    /// connections × 16 pipelined requests is 1,024); beyond it, finished queries are freed.
    static let poolCapacity = 4096

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

    /// A query for a client request: a pooled one from `pool` if it has one (its args storage
    /// reused), else a new one. `args` is copied (a few dozen bytes), not kept as a slice of the
    /// read buffer: holding every read buffer until its queries end would make the channel
    /// allocate a new one for every read.
    static func make(
        from pool: FreeList<ProxyQuery>?, table: String, clientSeqid: Int32, args: ByteBuffer, started: NIODeadline,
        deadline: NIODeadline, handler: ProxyConnectionHandler, context: ChannelHandlerContext
    ) -> ProxyQuery {
        guard let query = pool?.take() else {
            var copy = ByteBufferAllocator().buffer(capacity: max(64, args.readableBytes))
            copy.writeImmutableBuffer(args)
            return ProxyQuery(
                table: table, clientSeqid: clientSeqid, args: copy, started: started, deadline: deadline,
                handler: handler, context: context)
        }
        query.prepareForReuse()
        query.table = table
        query.clientSeqid = clientSeqid
        query.started = started
        query.deadline = deadline
        query.handler = handler
        query.context = context
        // Unique storage (nothing else holds the args of a finished query) is rewritten in place;
        // should something still hold it, copy-on-write keeps that copy intact.
        query.args.clear()
        query.args.writeImmutableBuffer(args)
        query.rdsnRequest = nil
        return query
    }

    /// A query for an RDSN request (checked with `RdsnFrame.checkThriftArgs()`): its THFT args are
    /// written straight into the (pooled) query's args buffer, and only the request's header is
    /// kept for the reply (no slice of the read buffer).
    static func make(
        from pool: FreeList<ProxyQuery>?, table: String, rdsn frame: RdsnFrame, started: NIODeadline,
        deadline: NIODeadline, handler: ProxyConnectionHandler, context: ChannelHandlerContext
    ) -> ProxyQuery {
        let query: ProxyQuery
        if let pooled = pool?.take() {
            query = pooled
            query.prepareForReuse()
            query.table = table
            query.clientSeqid = 0
            query.started = started
            query.deadline = deadline
            query.handler = handler
            query.context = context
            query.args.clear()
        } else {
            query = ProxyQuery(
                table: table, clientSeqid: 0,
                args: ByteBufferAllocator().buffer(capacity: max(64, frame.body.readableBytes)), started: started,
                deadline: deadline, handler: handler, context: context)
        }
        frame.writeThriftArgs(into: &query.args)
        query.rdsnRequest = frame.header
        return query
    }

    /// Gives the query back to `pool` once its outcome is delivered (nothing of this use runs
    /// after it): drops the references to the connection, and an args buffer grown too large.
    func recycle(into pool: FreeList<ProxyQuery>?) {
        rdsnRequest = nil
        handler = nil
        context = nil
        guard let pool, args.capacity <= Self.keptArgsCapacity else { return }
        pool.give(self)
    }

    /// A client may get a reply up to `meta.coalesce_window` old (it caches the partition
    /// configuration far longer anyway).
    override var acceptsRecentReply: Bool { true }

    override func completed(_ result: Result<ResponseFrame, UpstreamError>) {
        guard let handler, let context else { return }
        handler.upstreamCompleted(self, result: result, context: context)
    }
}
