import NIOCore

/// Splits a THFT byte stream into `RequestFrame`s (docs/pegasus-reference.md §2–§3).
///
/// Returns `nil` until a whole frame is buffered. Header errors (magic, version, v0 header
/// length, negative lengths, a frame over `maxFrameBytes`) throw as soon as their bytes arrive,
/// so an oversized frame is never buffered; a message type other than CALL/ONEWAY throws once the
/// frame is complete. Each is a reason rDSN closes the connection.
public struct RequestFrameDecoder: WholeFrameDecoder {
    /// Decoded frames.
    public typealias InboundOut = RequestFrame

    /// The largest frame accepted, header included.
    public let maxFrameBytes: Int

    /// Creates a decoder.
    /// - Parameter maxFrameBytes: The largest frame accepted, header included.
    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Decodes one frame, or returns `nil` when more bytes are needed.
    /// - Throws: `WireError`.
    public mutating func decode(buffer: inout ByteBuffer) throws -> RequestFrame? {
        guard let total = try RequestFrame.frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes),
            buffer.readableBytes >= total
        else {
            return nil
        }
        return try RequestFrame.read(from: &buffer, frameLength: total)
    }

    /// Decodes what is left at end of input; an incomplete frame yields `nil`.
    /// - Throws: `WireError`.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RequestFrame? {
        try decode(buffer: &buffer)
    }
}

/// Writes `RequestFrame`s to a channel (header + message bytes verbatim).
public struct RequestFrameEncoder: MessageToByteEncoder {
    /// Frames to write.
    public typealias OutboundIn = RequestFrame

    /// Creates an encoder.
    public init() {}

    /// Writes one frame.
    public func encode(data: RequestFrame, out: inout ByteBuffer) {
        data.encode(into: &out)
    }
}
