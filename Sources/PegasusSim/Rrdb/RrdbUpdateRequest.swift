import NIOCore
import PegasusWire

/// `update_request` (idl/rrdb.thrift): args of `RPC_RRDB_RRDB_PUT`. Fields 4-7 (atomic-write
/// details) are skipped on read and never written.
public struct RrdbUpdateRequest: Hashable, Sendable, ThriftCodable {
    /// 1 `key`: the raw key blob (hash key length, hash key, sort key).
    public var key: RrdbBlob
    /// 2 `value`.
    public var value: RrdbBlob
    /// 3 `expire_ts_seconds`: seconds since 2016-01-01 UTC; 0 = never.
    public var expireTimestamp: Int32

    /// Creates a request.
    public init(key: RrdbBlob = RrdbBlob([]), value: RrdbBlob = RrdbBlob([]), expireTimestamp: Int32 = 0) {
        self.key = key
        self.value = value
        self.expireTimestamp = expireTimestamp
    }

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): key = try RrdbBlob(from: &reader)
            case (2, .struct): value = try RrdbBlob(from: &reader)
            case (3, .i32): expireTimestamp = try reader.readI32()
            case (7, .struct): _ = try RrdbBlob(from: &reader)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-3 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, key)
        buffer.writeThriftField(2, value)
        buffer.writeThriftField(3, expireTimestamp)
        buffer.writeThriftStop()
    }
}
