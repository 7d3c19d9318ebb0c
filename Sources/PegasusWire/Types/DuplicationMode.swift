import NIOCore

/// `duplication_mode` (idl/duplication.thrift; pegasus-health-and-duplication.md §3.2).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct DuplicationMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// FULL.
    public static let full = DuplicationMode(rawValue: 0)
    /// INCREMENTAL.
    public static let incremental = DuplicationMode(rawValue: 1)

    /// `.i32`.
    public static var thriftType: ThriftType { .i32 }

    /// Reads an i32.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.rawValue = try reader.readI32()
    }

    /// Writes an i32.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftI32(rawValue)
    }

    /// The IDL name, or the number when unknown.
    public var description: String {
        switch rawValue {
        case 0: "FULL"
        case 1: "INCREMENTAL"
        default: "\(rawValue)"
        }
    }
}
