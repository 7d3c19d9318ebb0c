import NIOCore

/// `partition_configuration` (idl/dsn.layer2.thrift; docs/pegasus-reference.md §5.3).
///
/// Fields 1-7 are always written. `partitionFlags` (8) is optional here so the pypegasus3 shape
/// (fields 1-7) and the v2.5.0/master shapes (with field 8) both re-encode byte for byte; the
/// `hp_*` fields (9-11) exist on builds after v2.5.0 only.
public struct PartitionConfiguration: Hashable, Sendable, ThriftCodable {
    /// 1 `pid`.
    public var pid: Gpid
    /// 2 `ballot`: negative = child partition not ready during a split.
    public var ballot: Int64
    /// 3 `max_replica_count`.
    public var maxReplicaCount: Int32
    /// 4 `primary`: `.invalid` = no primary; the leader on a forward reply.
    public var primary: RpcAddress
    /// 5 `secondaries`.
    public var secondaries: [RpcAddress]
    /// 6 `last_drops`.
    public var lastDrops: [RpcAddress]
    /// 7 `last_committed_decree` (stale: set at the last configuration change).
    public var lastCommittedDecree: Int64
    /// 8 `partition_flags`: `nil` when the field was absent (pypegasus3 shape).
    public var partitionFlags: Int32?
    /// 9 optional `hp_primary`.
    public var hpPrimary: HostPort?
    /// 10 optional `hp_secondaries`.
    public var hpSecondaries: [HostPort]?
    /// 11 optional `hp_last_drops`.
    public var hpLastDrops: [HostPort]?

    /// Creates a partition configuration. `partitionFlags` defaults to 0 (present), the shape a
    /// C++ MetaServer writes.
    public init(
        pid: Gpid = Gpid(appId: 0, partitionIndex: 0),
        ballot: Int64 = 0,
        maxReplicaCount: Int32 = 0,
        primary: RpcAddress = .invalid,
        secondaries: [RpcAddress] = [],
        lastDrops: [RpcAddress] = [],
        lastCommittedDecree: Int64 = 0,
        partitionFlags: Int32? = 0,
        hpPrimary: HostPort? = nil,
        hpSecondaries: [HostPort]? = nil,
        hpLastDrops: [HostPort]? = nil
    ) {
        self.pid = pid
        self.ballot = ballot
        self.maxReplicaCount = maxReplicaCount
        self.primary = primary
        self.secondaries = secondaries
        self.lastDrops = lastDrops
        self.lastCommittedDecree = lastCommittedDecree
        self.partitionFlags = partitionFlags
        self.hpPrimary = hpPrimary
        self.hpSecondaries = hpSecondaries
        self.hpLastDrops = hpLastDrops
    }

    /// The IDL shape, for schema-aware skipping.
    public static var schema: ThriftSchema { .structure(fieldSchemas) }

    /// The IDL shape of each field, by field id.
    public static let fieldSchemas: [Int16: ThriftSchema] = [
        1: .gpid, 2: .i64, 3: .i32, 4: .rpcAddress, 5: .list(.rpcAddress), 6: .list(.rpcAddress), 7: .i64,
        8: .i32, 9: .hostPort, 10: .list(.hostPort), 11: .list(.hostPort),
    ]

    /// Reads the struct; placeholder fields by schema, unknown fields skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init(partitionFlags: nil)
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): pid = try Gpid(from: &reader)
            case (2, .i64): ballot = try reader.readI64()
            case (3, .i32): maxReplicaCount = try reader.readI32()
            case (4, .struct): primary = try RpcAddress(from: &reader)
            case (5, .list): secondaries = try reader.readList(of: RpcAddress.self)
            case (6, .list): lastDrops = try reader.readList(of: RpcAddress.self)
            case (7, .i64): lastCommittedDecree = try reader.readI64()
            case (8, .i32): partitionFlags = try reader.readI32()
            case (9, .struct): hpPrimary = try HostPort(from: &reader)
            case (10, .list): hpSecondaries = try reader.readList(of: HostPort.self)
            case (11, .list): hpLastDrops = try reader.readList(of: HostPort.self)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-7, then 8-11 where present, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, pid)
        buffer.writeThriftField(2, ballot)
        buffer.writeThriftField(3, maxReplicaCount)
        buffer.writeThriftField(4, primary)
        buffer.writeThriftField(5, list: secondaries)
        buffer.writeThriftField(6, list: lastDrops)
        buffer.writeThriftField(7, lastCommittedDecree)
        buffer.writeThriftField(8, partitionFlags)
        buffer.writeThriftField(9, hpPrimary)
        buffer.writeThriftField(10, list: hpSecondaries)
        buffer.writeThriftField(11, list: hpLastDrops)
        buffer.writeThriftStop()
    }
}
