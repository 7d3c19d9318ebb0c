import NIOCore
import PegasusWire

/// rDSN `blob`: a Thrift binary under a STRUCT header, without struct framing
/// (docs/pegasus-reference.md §5.1). The args of `get`, `remove` and `ttl` are one bare blob (the key).
public struct RrdbBlob: Hashable, Sendable, ThriftCodable, ExpressibleByStringLiteral {
    /// The bytes.
    public var bytes: [UInt8]

    /// Wraps bytes.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The UTF-8 bytes of a literal.
    public init(stringLiteral value: String) {
        self.bytes = Array(value.utf8)
    }

    /// Reads the payload: a Thrift binary.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.bytes = try reader.readBytes()
    }

    /// Writes the payload: a Thrift binary.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftBinary(bytes)
    }
}
