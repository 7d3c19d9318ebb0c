import NIOCore

/// `duplication_fail_mode` (idl/duplication.thrift; pegasus-health-and-duplication.md §3.3).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct DuplicationFailMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// FAIL_SLOW: retry forever (default).
    public static let slow = DuplicationFailMode(rawValue: 0)
    /// FAIL_SKIP: drop writes that fail to ship (silent loss on the backup).
    public static let skip = DuplicationFailMode(rawValue: 1)
    /// FAIL_FAST: kill the server process.
    public static let fast = DuplicationFailMode(rawValue: 2)

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
        case 0: "FAIL_SLOW"
        case 1: "FAIL_SKIP"
        case 2: "FAIL_FAST"
        default: "\(rawValue)"
        }
    }
}
