import NIOCore

/// `query_cfg_request` (idl/dsn.layer2.thrift; docs/pegasus-reference.md §5.2): args of
/// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`.
public struct QueryConfigRequest: Hashable, Sendable, ThriftCodable {
    /// 1 `app_name`: the table name.
    public var appName: String
    /// 2 `partition_indices`: empty = all partitions (what Java, Go and Python send).
    public var partitionIndices: [Int32]

    /// Creates a request.
    public init(appName: String = "", partitionIndices: [Int32] = []) {
        self.appName = appName
        self.partitionIndices = partitionIndices
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .string, 2: .list(.i32)])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .string): appName = try reader.readString()
            case (2, .list): partitionIndices = try reader.readList(of: Int32.self)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-2 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, appName)
        buffer.writeThriftField(2, list: partitionIndices)
        buffer.writeThriftStop()
    }
}
