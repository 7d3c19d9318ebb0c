import NIOCore
import PegasusWire

/// One request for a MetaServer, not yet encoded: the connection writes it straight into the
/// batch it flushes at the end of the tick (``MetaConnectionHandler/send(_:for:)``), so a request
/// is encoded once, in place, from its ``RequestFrameTemplate``.
struct UpstreamRequest {
    /// The frame's constant bytes (header and RPC name).
    let template: RequestFrameTemplate
    /// The proxy's seqid for this attempt.
    let seqid: Int32
    /// The v0 header's `client_timeout`: what is left of the attempt, in milliseconds.
    let clientTimeoutMs: Int32
    /// The client's args struct, sent verbatim.
    let args: ByteBuffer

    /// The bytes of the encoded frame.
    var byteCount: Int { template.frameLength(argsLength: args.readableBytes) }

    /// Writes the frame at the end of `buffer`.
    func encode(into buffer: inout ByteBuffer) {
        template.write(seqid: seqid, clientTimeoutMs: clientTimeoutMs, args: args, into: &buffer)
    }

    /// The frame in a buffer of its own (a request that waits for its connection to open).
    func encoded() -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: byteCount)
        encode(into: &buffer)
        return buffer
    }
}
