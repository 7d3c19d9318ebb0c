import NIOCore

/// `duplication_fail_mode` (idl/duplication.thrift; docs/pegasus-reference.md §12.3).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct DuplicationFailMode: ThriftEnum {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// FAIL_SLOW: retry forever (default).
    public static let slow = DuplicationFailMode(rawValue: 0)
    /// FAIL_SKIP: drop writes that fail to ship (silent loss on the backup).
    public static let skip = DuplicationFailMode(rawValue: 1)
    /// FAIL_FAST: kill the server process.
    public static let fast = DuplicationFailMode(rawValue: 2)

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "FAIL_SLOW",
        1: "FAIL_SKIP",
        2: "FAIL_FAST",
    ]
}
