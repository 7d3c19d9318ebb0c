import NIOCore

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
