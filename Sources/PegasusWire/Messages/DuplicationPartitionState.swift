import NIOCore

/// `duplication_partition_state` (idl/duplication.thrift; docs/pegasus-reference.md §12.2,
/// §12.4): lag of a partition = `lastCommittedDecree - confirmedDecree`; -1 means unknown.
public struct DuplicationPartitionState: Hashable, Sendable, ThriftCodable {
    /// 1 `confirmed_decree`: highest decree the remote acknowledged.
    public var confirmedDecree: Int64
    /// 2 `last_committed_decree`: the primary's value at its last sync.
    public var lastCommittedDecree: Int64

    /// Creates a state.
    public init(confirmedDecree: Int64 = 0, lastCommittedDecree: Int64 = 0) {
        self.confirmedDecree = confirmedDecree
        self.lastCommittedDecree = lastCommittedDecree
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .i64, 2: .i64])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i64): confirmedDecree = try reader.readI64()
            case (2, .i64): lastCommittedDecree = try reader.readI64()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-2 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, confirmedDecree)
        buffer.writeThriftField(2, lastCommittedDecree)
        buffer.writeThriftStop()
    }
}
