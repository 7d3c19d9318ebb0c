import NIOCore

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
