import NIOCore

/// `pattern_match_type` (idl/utils.thrift): how a name pattern is matched (pegasus-rpc.md §4.4).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct PatternMatchType: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ThriftCodable {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// PATTERN_MATCH_INVALID.
    public static let invalid = PatternMatchType(rawValue: 0)
    /// PATTERN_MATCH_ALL.
    public static let all = PatternMatchType(rawValue: 1)
    /// PATTERN_MATCH_EXACT.
    public static let exact = PatternMatchType(rawValue: 2)
    /// PATTERN_MATCH_ANYWHERE.
    public static let anywhere = PatternMatchType(rawValue: 3)
    /// PATTERN_MATCH_PREFIX.
    public static let prefix = PatternMatchType(rawValue: 4)
    /// PATTERN_MATCH_POSTFIX.
    public static let postfix = PatternMatchType(rawValue: 5)
    /// PATTERN_MATCH_REGEX.
    public static let regex = PatternMatchType(rawValue: 6)

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
        case 0: "PATTERN_MATCH_INVALID"
        case 1: "PATTERN_MATCH_ALL"
        case 2: "PATTERN_MATCH_EXACT"
        case 3: "PATTERN_MATCH_ANYWHERE"
        case 4: "PATTERN_MATCH_PREFIX"
        case 5: "PATTERN_MATCH_POSTFIX"
        case 6: "PATTERN_MATCH_REGEX"
        default: "\(rawValue)"
        }
    }
}
