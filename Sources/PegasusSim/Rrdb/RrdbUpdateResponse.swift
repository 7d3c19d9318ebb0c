import NIOCore
import PegasusWire

/// `update_response` (idl/rrdb.thrift): result of `put` and `remove`.
public struct RrdbUpdateResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `error`: a RocksDB status code, 0 = OK.
    public var error: Int32
    /// 2 `app_id`.
    public var appId: Int32
    /// 3 `partition_index`.
    public var partitionIndex: Int32
    /// 4 `decree`: the decree the write committed at.
    public var decree: Int64
    /// 5 `server`: the replica's `host:port`.
    public var server: String

    /// Creates a response.
    public init(error: Int32 = 0, appId: Int32 = 0, partitionIndex: Int32 = 0, decree: Int64 = 0, server: String = "") {
        self.error = error
        self.appId = appId
        self.partitionIndex = partitionIndex
        self.decree = decree
        self.server = server
    }

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): error = try reader.readI32()
            case (2, .i32): appId = try reader.readI32()
            case (3, .i32): partitionIndex = try reader.readI32()
            case (4, .i64): decree = try reader.readI64()
            case (5, .string): server = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-5 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, error)
        buffer.writeThriftField(2, appId)
        buffer.writeThriftField(3, partitionIndex)
        buffer.writeThriftField(4, decree)
        buffer.writeThriftField(5, server)
        buffer.writeThriftStop()
    }
}
