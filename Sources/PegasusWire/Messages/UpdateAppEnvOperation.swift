import NIOCore

/// `app_env_operation` (idl/meta_admin.thrift): what `RPC_CM_UPDATE_APP_ENV` does with a table's
/// app envs.
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct UpdateAppEnvOperation: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// APP_ENV_OP_INVALID: rejected with `ERR_INVALID_PARAMETERS`.
    public static let invalid = UpdateAppEnvOperation(rawValue: 0)
    /// APP_ENV_OP_SET: set `keys[i]` to `values[i]`.
    public static let set = UpdateAppEnvOperation(rawValue: 1)
    /// APP_ENV_OP_DEL: delete `keys`.
    public static let delete = UpdateAppEnvOperation(rawValue: 2)
    /// APP_ENV_OP_CLEAR: delete every env, or those named `clear_prefix.*`.
    public static let clear = UpdateAppEnvOperation(rawValue: 3)

    /// `.i32`.
    public static var thriftType: ThriftType { .i32 }

    /// Reads an i32.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.rawValue = try reader.readI32()
    }

    /// Writes an i32.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftI32(rawValue)
    }

    /// The IDL name, or the number when unknown.
    public var description: String {
        switch rawValue {
        case 0: "APP_ENV_OP_INVALID"
        case 1: "APP_ENV_OP_SET"
        case 2: "APP_ENV_OP_DEL"
        case 3: "APP_ENV_OP_CLEAR"
        default: "\(rawValue)"
        }
    }
}
