/// rDSN `dsn_msg_serialize_format`, the 4-bit `serialize_format` of the message context
/// (apache/incubator-pegasus `src/task/task_spec.h`).
///
/// The C++ client and servers use `thriftBinary` (the default `rpc_msg_payload_serialize_default_format`);
/// rDSN's marshalling knows only that and `thriftJSON`. Any 4-bit value is kept as received.
public struct RdsnSerializeFormat: Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit value.
    public var rawValue: UInt8

    /// Wraps a value; only the low 4 bits are kept.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0xf
    }

    /// `DSF_INVALID` (0).
    public static let invalid = RdsnSerializeFormat(rawValue: 0)
    /// `DSF_THRIFT_BINARY` (1): what every meta RPC uses.
    public static let thriftBinary = RdsnSerializeFormat(rawValue: 1)
    /// `DSF_THRIFT_COMPACT` (2).
    public static let thriftCompact = RdsnSerializeFormat(rawValue: 2)
    /// `DSF_THRIFT_JSON` (3).
    public static let thriftJSON = RdsnSerializeFormat(rawValue: 3)
    /// `DSF_PROTOC_BINARY` (4).
    public static let protocBinary = RdsnSerializeFormat(rawValue: 4)
    /// `DSF_PROTOC_JSON` (5).
    public static let protocJSON = RdsnSerializeFormat(rawValue: 5)
    /// `DSF_JSON` (6).
    public static let json = RdsnSerializeFormat(rawValue: 6)

    /// The rDSN enum name, or the number for others.
    public var description: String {
        let names = [
            "DSF_INVALID", "DSF_THRIFT_BINARY", "DSF_THRIFT_COMPACT", "DSF_THRIFT_JSON", "DSF_PROTOC_BINARY",
            "DSF_PROTOC_JSON", "DSF_JSON",
        ]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : "DSF(\(rawValue))"
    }
}
