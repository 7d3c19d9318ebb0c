import NIOCore
import PegasusWire

/// How one reply compares with what its request expects.
enum ReplyCheck {
    /// `ERR_OK` envelope, `ERR_OK` in the body and the table's `app_id`.
    case ok
    /// The envelope error was not `ERR_OK`.
    case envelopeError
    /// The body's `err` was not `ERR_OK`.
    case bodyError
    /// The body named another `app_id`.
    case wrongAppId
    /// The body could not be read.
    case undecodable

    /// Checks `reply` against the table it answers, reading only `err` and `app_id`.
    static func check(_ reply: ResponseFrame, expectedAppId: Int32) -> ReplyCheck {
        guard reply.errorName == ErrorCode.ok.name else { return .envelopeError }
        do {
            var reader = ThriftReader(reply.body)
            try reader.enterResultSuccess()
            var err: ErrorCode?
            var appId: Int32?
            while err == nil || appId == nil, let field = try reader.readFieldHeader() {
                switch (field.id, field.type) {
                case (1, .struct): err = try ErrorCode(from: &reader)
                case (2, .i32): appId = try reader.readI32()
                default: try reader.skip(field.type)
                }
            }
            guard err == .ok else { return .bodyError }
            return appId == expectedAppId ? .ok : .wrongAppId
        } catch {
            return .undecodable
        }
    }
}
