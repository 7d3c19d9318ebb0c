import NIOCore

/// `negotiation_status` (idl/security.thrift; pegasus-rpc.md §4.5).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct NegotiationStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// INVALID.
    public static let invalid = NegotiationStatus(rawValue: 0)
    /// SASL_LIST_MECHANISMS.
    public static let saslListMechanisms = NegotiationStatus(rawValue: 1)
    /// SASL_LIST_MECHANISMS_RESP.
    public static let saslListMechanismsResponse = NegotiationStatus(rawValue: 2)
    /// SASL_SELECT_MECHANISMS.
    public static let saslSelectMechanisms = NegotiationStatus(rawValue: 3)
    /// SASL_SELECT_MECHANISMS_RESP.
    public static let saslSelectMechanismsResponse = NegotiationStatus(rawValue: 4)
    /// SASL_INITIATE.
    public static let saslInitiate = NegotiationStatus(rawValue: 5)
    /// SASL_CHALLENGE.
    public static let saslChallenge = NegotiationStatus(rawValue: 6)
    /// SASL_CHALLENGE_RESP.
    public static let saslChallengeResponse = NegotiationStatus(rawValue: 7)
    /// SASL_SUCC.
    public static let saslSuccess = NegotiationStatus(rawValue: 8)
    /// SASL_AUTH_DISABLE: the server has authentication off.
    public static let saslAuthDisable = NegotiationStatus(rawValue: 9)
    /// SASL_AUTH_FAIL.
    public static let saslAuthFail = NegotiationStatus(rawValue: 10)

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
        case 0: "INVALID"
        case 1: "SASL_LIST_MECHANISMS"
        case 2: "SASL_LIST_MECHANISMS_RESP"
        case 3: "SASL_SELECT_MECHANISMS"
        case 4: "SASL_SELECT_MECHANISMS_RESP"
        case 5: "SASL_INITIATE"
        case 6: "SASL_CHALLENGE"
        case 7: "SASL_CHALLENGE_RESP"
        case 8: "SASL_SUCC"
        case 9: "SASL_AUTH_DISABLE"
        case 10: "SASL_AUTH_FAIL"
        default: "\(rawValue)"
        }
    }
}
