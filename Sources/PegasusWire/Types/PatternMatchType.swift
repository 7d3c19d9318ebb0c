import NIOCore

/// `pattern_match_type` (idl/utils.thrift): how a name pattern is matched (docs/pegasus-reference.md §5.4).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct PatternMatchType: ThriftEnum {
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

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "PATTERN_MATCH_INVALID",
        1: "PATTERN_MATCH_ALL",
        2: "PATTERN_MATCH_EXACT",
        3: "PATTERN_MATCH_ANYWHERE",
        4: "PATTERN_MATCH_PREFIX",
        5: "PATTERN_MATCH_POSTFIX",
        6: "PATTERN_MATCH_REGEX",
    ]
}
