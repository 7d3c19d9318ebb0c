import NIOCore
import PegasusWire

/// One request sent to a MetaServer: the encoded frame and where its reply goes.
struct MetaCall {
    /// The proxy's own seqid, written into `frame`.
    var seqid: Int32
    /// A complete THFT request frame.
    var frame: ByteBuffer
    /// Completed with the reply whose seqid matches, or failed when the connection goes away.
    var promise: EventLoopPromise<ResponseFrame>
}

/// Matches replies on one MetaServer connection to outstanding requests by seqid
/// (requests may be pipelined and answered in any order).
///
/// Loop-bound: every method runs on the channel's event loop.
final class MetaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ResponseFrame
    typealias OutboundIn = MetaCall
    typealias OutboundOut = ByteBuffer

    private var pending: [Int32: EventLoopPromise<ResponseFrame>] = [:]
    private var failure: UpstreamError?
    private let cluster: String
    private let meta: String

    init(cluster: String, meta: String) {
        self.cluster = cluster
        self.meta = meta
    }

    /// Number of requests waiting for a reply.
    var outstanding: Int { pending.count }

    /// Forgets a request (its caller gave up, e.g. on timeout); a late reply is then dropped.
    func forget(seqid: Int32) {
        pending.removeValue(forKey: seqid)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let call = unwrapOutboundIn(data)
        if let failure {
            call.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        pending[call.seqid] = call.promise
        context.write(wrapOutboundOut(call.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // A reply for a seqid nobody waits for (timed out) is dropped, as every Pegasus client does.
        pending.removeValue(forKey: frame.message.seqid)?.succeed(frame)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let code: UpstreamError.Code = error is WireError ? .badReply : .connectionClosed
        failAll(UpstreamError(code, cluster: cluster, meta: meta, detail: "\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(UpstreamError(.connectionClosed, cluster: cluster, meta: meta))
        context.fireChannelInactive()
    }

    private func failAll(_ error: UpstreamError) {
        if failure == nil { failure = error }
        let waiting = pending
        pending.removeAll()
        for promise in waiting.values { promise.fail(error) }
    }
}

@available(*, unavailable)
extension MetaConnectionHandler: Sendable {}
