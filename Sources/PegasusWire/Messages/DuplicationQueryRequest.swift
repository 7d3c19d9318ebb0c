import NIOCore

/// `duplication_query_request` (idl/duplication.thrift; docs/pegasus-reference.md §12.2):
/// args of `RPC_CM_QUERY_DUPLICATION`.
public struct DuplicationQueryRequest: Hashable, Sendable, ThriftCodable {
    /// 1 `app_name`.
    public var appName: String

    /// Creates a request.
    public init(appName: String = "") {
        self.appName = appName
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .string])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .string): appName = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes field 1 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, appName)
        buffer.writeThriftStop()
    }
}
