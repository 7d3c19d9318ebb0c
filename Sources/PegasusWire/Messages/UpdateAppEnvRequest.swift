import NIOCore

/// `configuration_update_app_env_request` (idl/meta_admin.thrift): args of `RPC_CM_UPDATE_APP_ENV`
/// (method `update_app_env`, leader only; src/meta/server_state.cpp `set_app_envs`, `del_app_envs`,
/// `clear_app_envs`).
///
/// `set` needs `keys` and `values` of equal, non-zero length; `del` needs non-empty `keys`;
/// `clear` uses `clearPrefix` (empty or absent clears every env). Values are validated by the
/// MetaServer (src/meta/app_env_validator.cpp), e.g. `replica.deny_client_request` accepts
/// `timeout|reconfig` `*` `all|write|read`.
public struct UpdateAppEnvRequest: Hashable, Sendable, ThriftCodable {
    /// 1 `app_name`.
    public var appName: String
    /// 2 `op`.
    public var operation: UpdateAppEnvOperation
    /// 3 optional `keys` (set and del).
    public var keys: [String]?
    /// 4 optional `values` (set only).
    public var values: [String]?
    /// 5 optional `clear_prefix` (clear only).
    public var clearPrefix: String?

    /// Creates a request.
    public init(
        appName: String = "",
        operation: UpdateAppEnvOperation = .invalid,
        keys: [String]? = nil,
        values: [String]? = nil,
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
            case (2, .i32): operation = try UpdateAppEnvOperation(from: &reader)
            case (3, .list): keys = try reader.readList(of: String.self)
            case (4, .list): values = try reader.readList(of: String.self)
            case (5, .string): clearPrefix = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-2, 3-5 where present, and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, appName)
        buffer.writeThriftField(2, operation)
        buffer.writeThriftField(3, list: keys)
        buffer.writeThriftField(4, list: values)
        buffer.writeThriftField(5, clearPrefix)
        buffer.writeThriftStop()
    }
}
