import NIOCore

/// `configuration_update_app_env_request` (idl/meta_admin.thrift): args of
/// `RPC_CM_UPDATE_APP_ENV`, e.g. `replica.deny_client_request = timeout*write` to block writes.
public struct UpdateAppEnvRequest: Hashable, Sendable, ThriftCodable {
    /// 1 `app_name`.
    public var appName: String
    /// 2 `op`.
    public var operation: AppEnvOperation
    /// 3 optional `keys` (set and del).
    public var keys: [String]?
    /// 4 optional `values` (set).
    public var values: [String]?
    /// 5 optional `clear_prefix` (clear).
    public var clearPrefix: String?

    /// Creates a request.
    public init(
        appName: String = "", operation: AppEnvOperation = .invalid, keys: [String]? = nil, values: [String]? = nil,
        clearPrefix: String? = nil
    ) {
        self.appName = appName
        self.operation = operation
        self.keys = keys
        self.values = values
        self.clearPrefix = clearPrefix
    }

    /// A request setting `envs` (in ascending key order) on table `appName`.
    public static func set(_ envs: [String: String], appName: String) -> UpdateAppEnvRequest {
        let sorted = envs.sorted { $0.key < $1.key }
        return UpdateAppEnvRequest(
            appName: appName, operation: .set, keys: sorted.map(\.key), values: sorted.map(\.value))
    }

    /// A request deleting `keys` from table `appName`.
    public static func delete(_ keys: [String], appName: String) -> UpdateAppEnvRequest {
        UpdateAppEnvRequest(appName: appName, operation: .delete, keys: keys)
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([
        1: .string, 2: .i32, 3: .list(.string), 4: .list(.string), 5: .string,
    ])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .string): appName = try reader.readString()
            case (2, .i32): operation = try AppEnvOperation(from: &reader)
            case (3, .list): keys = try reader.readList(of: String.self)
            case (4, .list): values = try reader.readList(of: String.self)
            case (5, .string): clearPrefix = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes the fields in id order (optional ones only when set) and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, appName)
        buffer.writeThriftField(2, operation)
        if let keys { buffer.writeThriftField(3, list: keys) }
        if let values { buffer.writeThriftField(4, list: values) }
        buffer.writeThriftField(5, clearPrefix)
        buffer.writeThriftStop()
    }
}
