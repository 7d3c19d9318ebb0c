import NIOCore

/// `app_status` (idl/dsn.layer2.thrift): a table's lifecycle state (pegasus-rpc.md §4.4).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct AppStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// AS_INVALID; in a list_apps request: no filter.
    public static let invalid = AppStatus(rawValue: 0)
    /// AS_AVAILABLE.
    public static let available = AppStatus(rawValue: 1)
    /// AS_CREATING.
    public static let creating = AppStatus(rawValue: 2)
    /// AS_CREATE_FAILED.
    public static let createFailed = AppStatus(rawValue: 3)
    /// AS_DROPPING.
    public static let dropping = AppStatus(rawValue: 4)
    /// AS_DROP_FAILED.
    public static let dropFailed = AppStatus(rawValue: 5)
    /// AS_DROPPED.
    public static let dropped = AppStatus(rawValue: 6)
    /// AS_RECALLING.
    public static let recalling = AppStatus(rawValue: 7)

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
        case 0: "AS_INVALID"
        case 1: "AS_AVAILABLE"
        case 2: "AS_CREATING"
        case 3: "AS_CREATE_FAILED"
        case 4: "AS_DROPPING"
        case 5: "AS_DROP_FAILED"
        case 6: "AS_DROPPED"
        case 7: "AS_RECALLING"
        default: "\(rawValue)"
        }
    }
}
