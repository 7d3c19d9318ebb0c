import NIOCore

/// `duplication_status` (idl/duplication.thrift; pegasus-health-and-duplication.md §3.3).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct DuplicationStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// DS_INIT: created, not started.
    public static let initial = DuplicationStatus(rawValue: 0)
    /// DS_PREPARE: preparing a checkpoint.
    public static let prepare = DuplicationStatus(rawValue: 1)
    /// DS_APP: creating the follower table, copying the checkpoint.
    public static let app = DuplicationStatus(rawValue: 2)
    /// DS_LOG: steady state, shipping the write-ahead log.
    public static let log = DuplicationStatus(rawValue: 3)
    /// DS_PAUSE: paused by an operator.
    public static let pause = DuplicationStatus(rawValue: 4)
    /// DS_REMOVED.
    public static let removed = DuplicationStatus(rawValue: 5)

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
        case 0: "DS_INIT"
        case 1: "DS_PREPARE"
        case 2: "DS_APP"
        case 3: "DS_LOG"
        case 4: "DS_PAUSE"
        case 5: "DS_REMOVED"
        default: "\(rawValue)"
        }
    }
}
