/// `app_env_operation` (idl/meta_admin.thrift): what an `RPC_CM_UPDATE_APP_ENV` does.
public struct AppEnvOperation: ThriftEnum {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// APP_ENV_OP_INVALID.
    public static let invalid = AppEnvOperation(rawValue: 0)
    /// APP_ENV_OP_SET: set `keys` to `values`.
    public static let set = AppEnvOperation(rawValue: 1)
    /// APP_ENV_OP_DEL: delete `keys`.
    public static let delete = AppEnvOperation(rawValue: 2)
    /// APP_ENV_OP_CLEAR: delete every env (or those under `clear_prefix.`).
    public static let clear = AppEnvOperation(rawValue: 3)

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "APP_ENV_OP_INVALID",
        1: "APP_ENV_OP_SET",
        2: "APP_ENV_OP_DEL",
        3: "APP_ENV_OP_CLEAR",
    ]
}
