import NIOCore

/// A decoder of whole frames, one at a time (``RequestFrameDecoder``, ``ResponseFrameDecoder``).
///
/// It passes each frame on itself instead of leaving that to NIO's default for
/// `NIOSingleStepByteToMessageDecoder`: that default is compiled in NIOCore for any decoder and,
/// called through the protocol, looks up generic metadata at run time for every frame. Here the
/// code is specialized for the concrete decoder.
public protocol WholeFrameDecoder: NIOSingleStepByteToMessageDecoder {}

extension WholeFrameDecoder {
    /// Decodes one frame and passes it on, or asks for more bytes.
    /// - Throws: `WireError`.
    @inlinable
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try decode(buffer: &buffer) else { return .needMoreData }
        context.fireChannelRead(NIOAny(frame))
        return .continue
    }

    /// Decodes and passes on what is left at end of input, like ``decode(context:buffer:)``.
    /// - Throws: `WireError`.
    @inlinable
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        guard let frame = try decodeLast(buffer: &buffer, seenEOF: seenEOF) else { return .needMoreData }
        context.fireChannelRead(NIOAny(frame))
        return .continue
    }
}
