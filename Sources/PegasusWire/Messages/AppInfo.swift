import NIOCore

/// `app_info` (idl/dsn.layer2.thrift; docs/pegasus-reference.md §5.4): one table in a list_apps reply.
public struct AppInfo: Hashable, Sendable, ThriftCodable {
    /// 1 `status`.
    public var status: AppStatus
    /// 2 `app_type` (`pegasus`).
    public var appType: String
    /// 3 `app_name`.
    public var appName: String
    /// 4 `app_id`.
    public var appId: Int32
    /// 5 `partition_count`.
    public var partitionCount: Int32
    /// 6 `envs` (written in ascending key byte order, as C++ `std::map` iterates).
    public var envs: [String: String]
    /// 7 `is_stateful`.
    public var isStateful: Bool
    /// 8 `max_replica_count`.
    public var maxReplicaCount: Int32
    /// 9 `expire_second`.
    public var expireSecond: Int64
    /// 10 `create_second`.
    public var createSecond: Int64
    /// 11 `drop_second`.
    public var dropSecond: Int64
    /// 12 optional `duplicating`: true while the table has duplications.
    public var duplicating: Bool?
    /// 13 `init_partition_count` (IDL default -1).
    public var initPartitionCount: Int32
    /// 14 optional `is_bulk_loading`.
    public var isBulkLoading: Bool?
    /// 15 optional `atomic_idempotent`.
    public var atomicIdempotent: Bool?

    /// Creates an app info with the IDL defaults.
    public init(
        status: AppStatus = .invalid,
        appType: String = "",
        appName: String = "",
        appId: Int32 = 0,
        partitionCount: Int32 = 0,
        envs: [String: String] = [:],
        isStateful: Bool = false,
        maxReplicaCount: Int32 = 0,
        expireSecond: Int64 = 0,
        createSecond: Int64 = 0,
        dropSecond: Int64 = 0,
        duplicating: Bool? = nil,
        initPartitionCount: Int32 = -1,
        isBulkLoading: Bool? = nil,
        atomicIdempotent: Bool? = nil
    ) {
        self.status = status
        self.appType = appType
        self.appName = appName
        self.appId = appId
        self.partitionCount = partitionCount
        self.envs = envs
        self.isStateful = isStateful
        self.maxReplicaCount = maxReplicaCount
        self.expireSecond = expireSecond
        self.createSecond = createSecond
        self.dropSecond = dropSecond
        self.duplicating = duplicating
        self.initPartitionCount = initPartitionCount
        self.isBulkLoading = isBulkLoading
        self.atomicIdempotent = atomicIdempotent
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([
        1: .i32, 2: .string, 3: .string, 4: .i32, 5: .i32, 6: .map(key: .string, value: .string), 7: .bool,
        8: .i32, 9: .i64, 10: .i64, 11: .i64, 12: .bool, 13: .i32, 14: .bool, 15: .bool,
    ])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): status = try AppStatus(from: &reader)
            case (2, .string): appType = try reader.readString()
            case (3, .string): appName = try reader.readString()
            case (4, .i32): appId = try reader.readI32()
            case (5, .i32): partitionCount = try reader.readI32()
            case (6, .map): envs = try reader.readMap(of: String.self, String.self)
            case (7, .bool): isStateful = try reader.readBool()
            case (8, .i32): maxReplicaCount = try reader.readI32()
            case (9, .i64): expireSecond = try reader.readI64()
            case (10, .i64): createSecond = try reader.readI64()
            case (11, .i64): dropSecond = try reader.readI64()
            case (12, .bool): duplicating = try reader.readBool()
            case (13, .i32): initPartitionCount = try reader.readI32()
            case (14, .bool): isBulkLoading = try reader.readBool()
            case (15, .bool): atomicIdempotent = try reader.readBool()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-11 and 13, the optional 12/14/15 where present, in id order, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, status)
        buffer.writeThriftField(2, appType)
        buffer.writeThriftField(3, appName)
        buffer.writeThriftField(4, appId)
        buffer.writeThriftField(5, partitionCount)
        buffer.writeThriftFieldHeader(.map, id: 6)
        buffer.writeThriftMap(
            envs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) })
        buffer.writeThriftField(7, isStateful)
        buffer.writeThriftField(8, maxReplicaCount)
        buffer.writeThriftField(9, expireSecond)
        buffer.writeThriftField(10, createSecond)
        buffer.writeThriftField(11, dropSecond)
        buffer.writeThriftField(12, duplicating)
        buffer.writeThriftField(13, initPartitionCount)
        buffer.writeThriftField(14, isBulkLoading)
        buffer.writeThriftField(15, atomicIdempotent)
        buffer.writeThriftStop()
    }
}
