import NIOCore

/// Splits an `RDSN` byte stream into `RdsnFrame`s (docs/protocol.md, "RDSN native frames").
///
/// Returns `nil` until a whole frame is buffered. Magic, `hdr_version`, `hdr_length` and
/// `body_length` (including `maxFrameBytes`) are checked as soon as their bytes arrive, the header
/// CRC once the 192 header bytes are there, the body CRC once the frame is complete; each failure
/// throws a `WireError`, so an oversized frame is never buffered.
public struct RdsnFrameDecoder: NIOSingleStepByteToMessageDecoder {
    /// Decoded frames.
    public typealias InboundOut = RdsnFrame

    /// The largest frame accepted, header included.
    public let maxFrameBytes: Int

    /// Creates a decoder.
    /// - Parameter maxFrameBytes: The largest frame accepted, header included.
    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Decodes one frame, or returns `nil` when more bytes are needed.
    /// - Throws: `WireError`.
    public mutating func decode(buffer: inout ByteBuffer) throws -> RdsnFrame? {
        guard let total = try RdsnFrame.frameLength(peeking: buffer, maxFrameBytes: maxFrameBytes),
            buffer.readableBytes >= total
        else {
            return nil
        }
        return try RdsnFrame.read(from: &buffer, maxFrameBytes: maxFrameBytes)
    }

    /// Decodes what is left at end of input; an incomplete frame yields `nil`.
    /// - Throws: `WireError`.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RdsnFrame? {
        try decode(buffer: &buffer)
    }
}
