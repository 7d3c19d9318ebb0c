import NIOCore

/// `configuration_list_apps_response` (idl/meta_admin.thrift; docs/pegasus-reference.md §5.4): result of
/// `RPC_CM_LIST_APPS`.
public struct ListAppsResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `err`.
    public var err: ErrorCode
    /// 2 `infos`.
    public var infos: [AppInfo]
    /// 3 optional `hint_message`.
    public var hintMessage: String?

    /// Creates a response.
    public init(err: ErrorCode = .ok, infos: [AppInfo] = [], hintMessage: String? = nil) {
        self.err = err
        self.infos = infos
        self.hintMessage = hintMessage
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .errorCode, 2: .list(AppInfo.schema), 3: .string])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): err = try ErrorCode(from: &reader)
            case (2, .list): infos = try reader.readList(of: AppInfo.self)
            case (3, .string): hintMessage = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-2, 3 where present, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, err)
        buffer.writeThriftField(2, list: infos)
        buffer.writeThriftField(3, hintMessage)
        buffer.writeThriftStop()
    }
}
