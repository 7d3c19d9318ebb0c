import NIOCore

/// `configuration_list_apps_request` (idl/meta_admin.thrift; docs/pegasus-reference.md §5.4): args of
/// `RPC_CM_LIST_APPS`.
public struct ListAppsRequest: Hashable, Sendable, ThriftCodable {
    /// 1 `status`: `.invalid` = no filter.
    public var status: AppStatus
    /// 2 optional `app_name_pattern`.
    public var appNamePattern: String?
    /// 3 optional `match_type` (filtering happens only when both 2 and 3 are set).
    public var matchType: PatternMatchType?

    /// Creates a request.
    public init(status: AppStatus = .invalid, appNamePattern: String? = nil, matchType: PatternMatchType? = nil) {
        self.status = status
        self.appNamePattern = appNamePattern
        self.matchType = matchType
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .i32, 2: .string, 3: .i32])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): status = try AppStatus(from: &reader)
            case (2, .string): appNamePattern = try reader.readString()
            case (3, .i32): matchType = try PatternMatchType(from: &reader)
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes field 1, 2-3 where present, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, status)
        buffer.writeThriftField(2, appNamePattern)
        buffer.writeThriftField(3, matchType)
        buffer.writeThriftStop()
    }
}
