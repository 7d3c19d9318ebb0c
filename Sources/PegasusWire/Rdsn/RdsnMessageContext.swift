/// rDSN `msg_context_t`: a 64-bit word of bit fields in the message header
/// (apache/incubator-pegasus `src/rpc/rpc_message.h`; docs/protocol.md, "RDSN native frames").
///
/// Bit fields of a `uint64_t` are allocated from the least significant bit on x86-64 (GCC/Clang):
///
/// | bits | field |
/// |---|---|
/// | 0 | `is_request` |
/// | 1 | `is_forwarded` |
/// | 2-5 | `unused` |
/// | 6-9 | `serialize_format` |
/// | 10 | `is_forward_supported` |
/// | 11 | `is_backup_request` |
/// | 12-63 | `reserved` |
///
/// The whole word is kept, so unused and reserved bits survive a round trip.
public struct RdsnMessageContext: Hashable, Sendable, CustomStringConvertible {
    /// The 64-bit word.
    public var rawValue: UInt64

    private static let isRequestBit: UInt64 = 1 << 0
    private static let isForwardedBit: UInt64 = 1 << 1
    private static let serializeFormatShift: UInt64 = 6
    private static let serializeFormatMask: UInt64 = 0xf << 6
    private static let isForwardSupportedBit: UInt64 = 1 << 10
    private static let isBackupRequestBit: UInt64 = 1 << 11

    /// Wraps a raw word.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Builds a word from its fields; unused and reserved bits are zero.
    public init(
        isRequest: Bool,
        isForwarded: Bool = false,
        serializeFormat: RdsnSerializeFormat = .thriftBinary,
        isForwardSupported: Bool = false,
        isBackupRequest: Bool = false
    ) {
        self.rawValue = 0
        self.isRequest = isRequest
        self.isForwarded = isForwarded
        self.serializeFormat = serializeFormat
        self.isForwardSupported = isForwardSupported
        self.isBackupRequest = isBackupRequest
    }

    /// What `message_ex::create_request` sets for a C++ client request: request, Thrift binary,
    /// forwarding supported (`0x441`).
    public static let clientRequest = RdsnMessageContext(isRequest: true, isForwardSupported: true)

    /// `is_request`: set on requests, clear on replies. Decides whether a receiver dispatches the
    /// message as a request or matches it to a pending call by `id`.
    public var isRequest: Bool {
        get { rawValue & Self.isRequestBit != 0 }
        set { set(Self.isRequestBit, newValue) }
    }

    /// `is_forwarded`: the message was forwarded by a server to another server.
    public var isForwarded: Bool {
        get { rawValue & Self.isForwardedBit != 0 }
        set { set(Self.isForwardedBit, newValue) }
    }

    /// `serialize_format`: how the body is serialized.
    public var serializeFormat: RdsnSerializeFormat {
        get { RdsnSerializeFormat(rawValue: UInt8(truncatingIfNeeded: (rawValue & Self.serializeFormatMask) >> 6)) }
        set {
            rawValue = rawValue & ~Self.serializeFormatMask | UInt64(newValue.rawValue) << Self.serializeFormatShift
        }
    }

    /// `is_forward_supported`: a non-leader server may forward the request to the leader itself.
    public var isForwardSupported: Bool {
        get { rawValue & Self.isForwardSupportedBit != 0 }
        set { set(Self.isForwardSupportedBit, newValue) }
    }

    /// `is_backup_request`: a read that a secondary may serve.
    public var isBackupRequest: Bool {
        get { rawValue & Self.isBackupRequestBit != 0 }
        set { set(Self.isBackupRequestBit, newValue) }
    }

    private mutating func set(_ bit: UInt64, _ on: Bool) {
        rawValue = on ? rawValue | bit : rawValue & ~bit
    }

    /// The fields and the raw word.
    public var description: String {
        "context(0x\(String(rawValue, radix: 16)): request \(isRequest), forwarded \(isForwarded), "
            + "format \(serializeFormat), forward supported \(isForwardSupported), backup \(isBackupRequest))"
    }
}
