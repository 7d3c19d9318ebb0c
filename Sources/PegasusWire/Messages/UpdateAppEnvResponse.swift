import NIOCore

/// `configuration_update_app_env_response` (idl/meta_admin.thrift).
public struct UpdateAppEnvResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `err`.
    public var err: ErrorCode
    /// 2 `hint_message`.
    public var hintMessage: String

    /// Creates a response.
    public init(err: ErrorCode = .ok, hintMessage: String = "") {
        self.err = err
        self.hintMessage = hintMessage
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .errorCode, 2: .string])

    /// Reads the struct; unknown fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .struct): err = try ErrorCode(from: &reader)
            case (2, .string): hintMessage = try reader.readString()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes both fields and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, err)
        buffer.writeThriftField(2, hintMessage)
        buffer.writeThriftStop()
    }
}
