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

/// Writes `RdsnFrame`s to a channel (docs/protocol.md, "RDSN native frames").
public struct RdsnFrameEncoder: MessageToByteEncoder {
    /// Frames to write.
    public typealias OutboundIn = RdsnFrame

    /// Whether written frames carry CRCs.
    public let checksums: RdsnChecksums

    /// Creates an encoder.
    /// - Parameter checksums: `.compute` (default) fills both CRCs as rDSN does; `.none` writes zeros.
    public init(checksums: RdsnChecksums = .compute) {
        self.checksums = checksums
    }

    /// Writes one frame.
    public func encode(data: RdsnFrame, out: inout ByteBuffer) {
        data.encode(into: &out, checksums: checksums)
    }
}

/// Whether an encoded `RDSN` frame carries CRCs (docs/protocol.md, "RDSN native frames").
///
/// rDSN computes them only for RPC codes configured with `rpc_message_crc_required = true` (off by
/// default); a receiver checks each CRC field only when it is non-zero, so both forms are accepted
/// by every rDSN peer.
public enum RdsnChecksums: Hashable, Sendable {
    /// `hdr_crc32` and `body_crc32` both 0: what rDSN sends by default.
    case none
    /// `body_crc32` = CRC-32C of the body, then `hdr_crc32` = CRC-32C of the 192 header bytes with
    /// `hdr_crc32` zero (and `body_crc32` already filled in): what rDSN sends with
    /// `rpc_message_crc_required = true`.
    case compute
}
