import NIOCore
import PegasusWire

/// `read_response` (idl/rrdb.thrift): result of `get`. There is no field 5.
public struct RrdbReadResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `error`: RocksDB status, 0 = OK, 1 = not found.
    public var error: Int32
    /// 2 `value` (empty when not found).
    public var value: RrdbBlob
    /// 3 `app_id`.
    public var appId: Int32
    /// 4 `partition_index`.
    public var partitionIndex: Int32
    /// 6 `server`: the replica's `host:port`.
    public var server: String

    /// Creates a response.
    public init(
        error: Int32 = 0,
        value: RrdbBlob = RrdbBlob([]),
        appId: Int32 = 0,
        partitionIndex: Int32 = 0,
        server: String = ""
    ) {
        self.error = error
        self.value = value
        self.appId = appId
        self.partitionIndex = partitionIndex
        self.server = server
    }

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): error = try reader.readI32()
            case (2, .struct): value = try RrdbBlob(from: &reader)
            case (3, .i32): appId = try reader.readI32()
            case (4, .i32): partitionIndex = try reader.readI32()
            case (6, .string): server = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-4, 6 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, error)
        buffer.writeThriftField(2, value)
        buffer.writeThriftField(3, appId)
        buffer.writeThriftField(4, partitionIndex)
        buffer.writeThriftField(6, server)
        buffer.writeThriftStop()
    }
}
