/// The shape of a value as the IDL declares it, including rDSN's placeholder types.
///
/// A generic Thrift skip cannot step over `error_code`, `rpc_address`, `gpid` or `host_port`:
/// they travel under a STRUCT header but their payload is not a struct (docs/pegasus-reference.md §5.1).
/// `ThriftReader.skip(_ schema:)` uses a schema to skip them exactly.
public indirect enum ThriftSchema: Sendable {
    /// A bool.
    case bool
    /// A signed byte.
    case byte
    /// An i16.
    case i16
    /// An i32 (also IDL enums).
    case i32
    /// An i64.
    case i64
    /// A double.
    case double
    /// A string or binary.
    case string
    /// A list of elements.
    case list(ThriftSchema)
    /// A set of elements.
    case set(ThriftSchema)
    /// A map.
    case map(key: ThriftSchema, value: ThriftSchema)
    /// A real Thrift struct: known fields by id; unknown ids are skipped generically.
    case structure([Int16: ThriftSchema])
    /// rDSN `error_code`: a bare Thrift string (the error name).
    case errorCode
    /// rDSN `rpc_address`: one i64.
    case rpcAddress
    /// rDSN `gpid`: one i64.
    case gpid
    /// rDSN `host_port`: string host, i16 port, byte type.
    case hostPort
    /// rDSN `blob`: a Thrift binary, under a STRUCT header like the other placeholder types.
    case blob

    /// The type id written in the header of a field or collection holding this value.
    public var wireType: ThriftType {
        switch self {
        case .bool: .bool
        case .byte: .byte
        case .i16: .i16
        case .i32: .i32
        case .i64: .i64
        case .double: .double
        case .string: .string
        case .list: .list
        case .set: .set
        case .map: .map
        case .structure, .errorCode, .rpcAddress, .gpid, .hostPort, .blob: .struct
        }
    }
}
