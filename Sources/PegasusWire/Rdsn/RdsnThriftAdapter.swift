import NIOCore

/// Lets a THFT request handler serve an `RDSN` connection unchanged (docs/protocol.md, "How the
/// proxy serves RDSN").
///
/// Inbound, each `RdsnFrame` becomes a THFT `RequestFrame` (same RPC name, the body's wrapper
/// re-labelled as args field 1, a connection-local seqid); outbound, each THFT reply frame the
/// handler writes is matched by seqid and re-emitted as the RDSN reply to the original request:
/// the request's 64-bit id echoed, the envelope error in the header, the result body copied byte
/// for byte, and CRCs filled when the client sent CRCs (either CRC field non-zero), else left 0 as
/// rDSN does by default.
///
/// An RDSN reply made here never carries `ERR_FORWARD_TO_OTHERS` in its header: a C++ client would
/// read the body as the address of a new meta leader (docs/protocol.md §8). MetaServers never put
/// that error in a THFT envelope (THFT requests do not support forwarding), but should a handler
/// relay one, it goes out as `ERR_TIMEOUT` without a body, which the client retries.
///
/// Pipeline: `ByteToMessageHandler(RdsnFrameDecoder)` → this adapter → a handler whose
/// `InboundIn` is `RequestFrame` and `OutboundOut` is `ByteBuffer` (encoded THFT replies).
/// Loop-bound.
public final class RdsnThriftAdapter: ChannelDuplexHandler {
    public typealias InboundIn = RdsnFrame
    public typealias InboundOut = RequestFrame
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var pending: [Int32: RdsnFrame] = [:]
    private var nextSeqid: Int32 = 0

    /// Creates the adapter.
    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let request = unwrapInboundIn(data)
        nextSeqid = nextSeqid == Int32.max ? 1 : nextSeqid + 1
        do {
            let frame = try request.thriftRequest(seqid: nextSeqid)
            pending[nextSeqid] = request
            context.fireChannelRead(wrapInboundOut(frame))
        } catch {
            context.fireErrorCaught(error)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var bytes = unwrapOutboundIn(data)
        do {
            let reply = try ResponseFrame.read(from: &bytes)
            guard let request = pending.removeValue(forKey: reply.message.seqid) else {
                promise?.succeed()
                return
            }
            let answer =
                reply.errorName == ErrorCode.forwardToOthers.name
                ? RdsnFrame.reply(to: request, errorName: ErrorCode.timeout.name)
                : try RdsnFrame.reply(to: request, relaying: reply)
            var out = context.channel.allocator.buffer(capacity: RdsnHeader.size + answer.body.readableBytes)
            let carriedCRCs = request.header.hdrCRC32 != 0 || request.header.bodyCRC32 != 0
            let checksums: RdsnChecksums = carriedCRCs ? .compute : .none
            answer.encode(into: &out, checksums: checksums)
            context.write(wrapOutboundOut(out), promise: promise)
        } catch {
            promise?.fail(error)
            context.fireErrorCaught(error)
        }
    }
}

@available(*, unavailable)
extension RdsnThriftAdapter: Sendable {}
