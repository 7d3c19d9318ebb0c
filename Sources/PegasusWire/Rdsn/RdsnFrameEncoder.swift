import NIOCore

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
