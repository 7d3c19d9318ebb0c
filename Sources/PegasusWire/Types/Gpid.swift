import NIOCore

/// rDSN `gpid` (global partition id): one i64 under a STRUCT field header (docs/pegasus-reference.md §5.1).
///
/// Low 32 bits = app_id, high 32 bits = partition_index, so in big-endian bytes the partition
/// index comes first.
public struct Gpid: Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The table's app id.
    public var appId: Int32
    /// The partition index.
    public var partitionIndex: Int32

    /// Creates a gpid.
    public init(appId: Int32, partitionIndex: Int32) {
        self.appId = appId
        self.partitionIndex = partitionIndex
    }

    /// Unpacks the wire value.
    public init(rawValue: Int64) {
        self.appId = Int32(truncatingIfNeeded: rawValue)
        self.partitionIndex = Int32(truncatingIfNeeded: rawValue >> 32)
    }

    /// The wire value: `(partition_index << 32) | (app_id & 0xffffffff)`.
    public var rawValue: Int64 {
        Int64(partitionIndex) << 32 | Int64(UInt32(bitPattern: appId))
    }

    /// Reads the payload: one i64.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init(rawValue: try reader.readI64())
    }

    /// Writes the payload: one i64.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftI64(rawValue)
    }

    /// `appId.partitionIndex`, as rDSN prints it.
    public var description: String { "\(appId).\(partitionIndex)" }
}
