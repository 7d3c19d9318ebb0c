import NIOCore

/// `negotiation_response` (idl/security.thrift; docs/pegasus-reference.md §5.5): result of `RPC_NEGOTIATION`;
/// `.saslAuthDisable` with an empty msg when the server has authentication off.
public struct NegotiationResponse: Hashable, Sendable, ThriftCodable {
    /// 1 `status`.
    public var status: NegotiationStatus
    /// 2 `msg`: an rDSN blob: a Thrift binary under a STRUCT field header (docs/pegasus-reference.md §5.1).
    public var msg: [UInt8]

    /// Creates a response.
    public init(status: NegotiationStatus = .invalid, msg: [UInt8] = []) {
        self.status = status
        self.msg = msg
    }

    /// The IDL shape, for schema-aware skipping.
    public static let schema: ThriftSchema = .structure([1: .i32, 2: .blob])

    /// Reads the struct; `msg` is accepted under a STRUCT (as sent) or STRING header; unknown
    /// fields are skipped.
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.init()
        while let field = try reader.readFieldHeader() {
            switch (field.id, field.type) {
            case (1, .i32): status = try NegotiationStatus(from: &reader)
            case (2, .struct), (2, .string): msg = try reader.readBytes()
            default: try reader.skip(field.type)
            }
        }
    }

    /// Writes fields 1-2 and stop.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftField(1, status)
        buffer.writeThriftFieldHeader(.struct, id: 2)
        buffer.writeThriftBinary(msg)
        buffer.writeThriftStop()
    }
}
