import NIOCore

/// `query_cfg_response` (idl/dsn.layer2.thrift; docs/pegasus-reference.md §5.2): result of
/// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`.
///
/// On `ERR_FORWARD_TO_OTHERS` from a follower, `partitions[0].primary` (and on current master
/// `hpPrimary`) names the leader (§6.1).
public struct QueryConfigResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `err`.
    public var err: ErrorCode
    /// 2 `app_id`.
    public var appId: Int32
    /// 3 `partition_count`.
    public var partitionCount: Int32
    /// 4 `is_stateful`: true for Pegasus tables (pypegasus3 ignores replies where it is false).
    public var isStateful: Bool
    /// 5 `partitions`.
    public var partitions: [PartitionConfiguration]

    /// Creates a response.
    public init(
        err: ErrorCode = .ok,
        appId: Int32 = 0,
        partitionCount: Int32 = 0,
        isStateful: Bool = false,
        partitions: [PartitionConfiguration] = []
    ) {
        self.err = err
        self.appId = appId
        self.partitionCount = partitionCount
        self.isStateful = isStateful
        self.partitions = partitions
    }

    /// The IDL shape, for schema-aware skipping.
    public static var schema: ThriftSchema { .structure(fieldSchemas) }

    /// The IDL shape of each field, by field id.
    public static let fieldSchemas: [Int16: ThriftSchema] = [
        1: .errorCode, 2: .i32, 3: .i32, 4: .bool, 5: .list(PartitionConfiguration.schema),
    ]

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): err = try ErrorCode(from: &reader)
            case (2, .i32): appId = try reader.readI32()
            case (3, .i32): partitionCount = try reader.readI32()
            case (4, .bool): isStateful = try reader.readBool()
            case (5, .list): partitions = try reader.readList(of: PartitionConfiguration.self)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-5 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, err)
        buffer.writeThriftField(2, appId)
        buffer.writeThriftField(3, partitionCount)
        buffer.writeThriftField(4, isStateful)
        buffer.writeThriftField(5, list: partitions)
        buffer.writeThriftStop()
    }
}
