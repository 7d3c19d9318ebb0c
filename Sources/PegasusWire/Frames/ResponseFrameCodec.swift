import NIOCore

/// Splits a MetaServer reply stream into `ResponseFrame`s (docs/pegasus-reference.md §4).
///
/// Returns `nil` until a whole frame is buffered. A negative or too small `total_length`, or one
/// over `maxFrameBytes`, throws as soon as the 4 length bytes arrive, so an oversized frame is never
/// buffered; a message type other than REPLY/EXCEPTION throws once the frame is complete.
public struct ResponseFrameDecoder: WholeFrameDecoder {
    /// Decoded frames.
    public typealias InboundOut = ResponseFrame

    /// The largest frame accepted, length prefix included.
    public let maxFrameBytes: Int

    /// Creates a decoder.
    /// - Parameter maxFrameBytes: The largest frame accepted, length prefix included.
    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Decodes one frame, or returns `nil` when more bytes are needed.
    /// - Throws: `WireError`.
    public mutating func decode(buffer: inout ByteBuffer) throws -> ResponseFrame? {
        guard let total = try ResponseFrame.frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes),
            buffer.readableBytes >= total
        else {
            return nil
        }
        if let reply = ResponseFrame.readQueryConfigOK(from: &buffer, frameLength: total) { return reply }
        return try ResponseFrame.read(from: &buffer, maxFrameBytes: maxFrameBytes)
    }

    /// Decodes what is left at end of input; an incomplete frame yields `nil`.
    /// - Throws: `WireError`.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ResponseFrame? {
        try decode(buffer: &buffer)
    }
}

/// Writes `ResponseFrame`s to a channel (length, error name, message begin, body verbatim).
public struct ResponseFrameEncoder: MessageToByteEncoder {
    /// Frames to write.
    public typealias OutboundIn = ResponseFrame

    /// Creates an encoder.
    public init() {}

    /// Writes one frame.
    public func encode(data: ResponseFrame, out: inout ByteBuffer) {
        data.encode(into: &out)
    }
}
