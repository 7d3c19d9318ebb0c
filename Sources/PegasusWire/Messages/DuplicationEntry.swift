import NIOCore

/// `duplication_entry` (idl/duplication.thrift; docs/pegasus-reference.md §12.2): one
/// duplication of a table. Maps are written in ascending key order, as C++ `std::map` iterates.
public struct DuplicationEntry: Hashable, Sendable, ThriftCodable {
    /// 1 `dupid` (the creation time in seconds).
    public var dupid: Int32
    /// 2 `status`.
    public var status: DuplicationStatus
    /// 3 `remote`: the remote cluster's name.
    public var remote: String
    /// 4 `create_ts` (ms).
    public var createTs: Int64
    /// 5 optional `progress`: partition index -> confirmed decree.
    public var progress: [Int32: Int64]?
    /// 7 optional `fail_mode`.
    public var failMode: DuplicationFailMode?
    /// 8 optional `remote_app_name` (master only).
    public var remoteAppName: String?
    /// 9 optional `remote_replica_count` (master only).
    public var remoteReplicaCount: Int32?
    /// 10 optional `mode`.
    public var mode: DuplicationMode?
    /// 11 optional `partition_states`: partition index -> progress (master only).
    public var partitionStates: [Int32: DuplicationPartitionState]?

    /// Creates an entry.
    public init(
        dupid: Int32 = 0,
        status: DuplicationStatus = .initial,
        remote: String = "",
        createTs: Int64 = 0,
        progress: [Int32: Int64]? = nil,
        failMode: DuplicationFailMode? = nil,
        remoteAppName: String? = nil,
        remoteReplicaCount: Int32? = nil,
        mode: DuplicationMode? = nil,
        partitionStates: [Int32: DuplicationPartitionState]? = nil
    ) {
        self.dupid = dupid
        self.status = status
        self.remote = remote
        self.createTs = createTs
        self.progress = progress
        self.failMode = failMode
        self.remoteAppName = remoteAppName
        self.remoteReplicaCount = remoteReplicaCount
        self.mode = mode
        self.partitionStates = partitionStates
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([
        1: .i32, 2: .i32, 3: .string, 4: .i64, 5: .map(key: .i32, value: .i64), 7: .i32, 8: .string, 9: .i32,
        10: .i32, 11: .map(key: .i32, value: DuplicationPartitionState.schema),
    ])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): dupid = try reader.readI32()
            case (2, .i32): status = try DuplicationStatus(from: &reader)
            case (3, .string): remote = try reader.readString()
            case (4, .i64): createTs = try reader.readI64()
            case (5, .map): progress = try reader.readMap(of: Int32.self, Int64.self)
            case (7, .i32): failMode = try DuplicationFailMode(from: &reader)
            case (8, .string): remoteAppName = try reader.readString()
            case (9, .i32): remoteReplicaCount = try reader.readI32()
            case (10, .i32): mode = try DuplicationMode(from: &reader)
            case (11, .map): partitionStates = try reader.readMap(of: Int32.self, DuplicationPartitionState.self)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-4, the optional ones where present, in id order, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, dupid)
        buffer.writeThriftField(2, status)
        buffer.writeThriftField(3, remote)
        buffer.writeThriftField(4, createTs)
        if let progress {
            buffer.writeThriftFieldHeader(.map, id: 5)
            buffer.writeThriftMap(progress.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        buffer.writeThriftField(7, failMode)
        buffer.writeThriftField(8, remoteAppName)
        buffer.writeThriftField(9, remoteReplicaCount)
        buffer.writeThriftField(10, mode)
        if let partitionStates {
            buffer.writeThriftFieldHeader(.map, id: 11)
            buffer.writeThriftMap(partitionStates.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        buffer.writeThriftStop()
    }
}
