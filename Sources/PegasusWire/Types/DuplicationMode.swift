import NIOCore

/// `duplication_mode` (idl/duplication.thrift; docs/pegasus-reference.md §12.2).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct DuplicationMode: ThriftEnum {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// FULL.
    public static let full = DuplicationMode(rawValue: 0)
    /// INCREMENTAL.
    public static let incremental = DuplicationMode(rawValue: 1)

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "FULL",
        1: "INCREMENTAL",
    ]
}
