import NIOCore

/// `duplication_query_response` (idl/duplication.thrift; docs/pegasus-reference.md §12.2):
/// result of `RPC_CM_QUERY_DUPLICATION`. There is no field 2.
public struct DuplicationQueryResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `err`: `ERR_OK`, `ERR_APP_NOT_EXIST`, or leader/ACL errors.
    public var err: ErrorCode
    /// 3 `appid`.
    public var appId: Int32
    /// 4 `entry_list`.
    public var entries: [DuplicationEntry]

    /// Creates a response.
    public init(err: ErrorCode = .ok, appId: Int32 = 0, entries: [DuplicationEntry] = []) {
        self.err = err
        self.appId = appId
        self.entries = entries
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([
        1: .errorCode, 3: .i32, 4: .list(DuplicationEntry.schema),
    ])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): err = try ErrorCode(from: &reader)
            case (3, .i32): appId = try reader.readI32()
            case (4, .list): entries = try reader.readList(of: DuplicationEntry.self)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1, 3, 4 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, err)
        buffer.writeThriftField(3, appId)
        buffer.writeThriftField(4, list: entries)
        buffer.writeThriftStop()
    }
}
