import NIOCore

/// `thrift_request_meta_v1` (src/rpc/request_meta.thrift; docs/pegasus-reference.md §3.2): the meta struct of
/// a THFT v1 request header. Every field is optional; the Java client sends all five.
public struct RequestMetaV1: Hashable, Sendable, ThriftCodable {
    /// 1 optional `app_id`.
    public var appId: Int32?
    /// 2 optional `partition_index`.
    public var partitionIndex: Int32?
    /// 3 optional `client_timeout` (ms).
    public var clientTimeout: Int32?
    /// 4 optional `client_partition_hash`.
    public var clientPartitionHash: Int64?
    /// 5 optional `is_backup_request`.
    public var isBackupRequest: Bool?

    /// Creates a meta struct.
    public init(
        appId: Int32? = nil,
        partitionIndex: Int32? = nil,
        clientTimeout: Int32? = nil,
        clientPartitionHash: Int64? = nil,
        isBackupRequest: Bool? = nil
    ) {
        self.appId = appId
        self.partitionIndex = partitionIndex
        self.clientTimeout = clientTimeout
        self.clientPartitionHash = clientPartitionHash
        self.isBackupRequest = isBackupRequest
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .i32, 2: .i32, 3: .i32, 4: .i64, 5: .bool])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): appId = try reader.readI32()
            case (2, .i32): partitionIndex = try reader.readI32()
            case (3, .i32): clientTimeout = try reader.readI32()
            case (4, .i64): clientPartitionHash = try reader.readI64()
            case (5, .bool): isBackupRequest = try reader.readBool()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes the present fields in id order, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, appId)
        buffer.writeThriftField(2, partitionIndex)
        buffer.writeThriftField(3, clientTimeout)
        buffer.writeThriftField(4, clientPartitionHash)
        buffer.writeThriftField(5, isBackupRequest)
        buffer.writeThriftStop()
    }
}
