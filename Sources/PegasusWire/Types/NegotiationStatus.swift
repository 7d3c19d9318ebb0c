import NIOCore

/// `negotiation_status` (idl/security.thrift; docs/pegasus-reference.md §5.5).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct NegotiationStatus: ThriftEnum {
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

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "INVALID",
        1: "SASL_LIST_MECHANISMS",
        2: "SASL_LIST_MECHANISMS_RESP",
        3: "SASL_SELECT_MECHANISMS",
        4: "SASL_SELECT_MECHANISMS_RESP",
        5: "SASL_INITIATE",
        6: "SASL_CHALLENGE",
        7: "SASL_CHALLENGE_RESP",
        8: "SASL_SUCC",
        9: "SASL_AUTH_DISABLE",
        10: "SASL_AUTH_FAIL",
    ]
}
