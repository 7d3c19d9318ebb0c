/// A duplication's fail mode, as named by the IDL enum `duplication_fail_mode` (`FAIL_SLOW`, …).
///
/// An extensible string value: names this code does not know are kept as they came. Codable as
/// a single string (the standard library's `RawRepresentable` conformance).
public struct DuplicationFailMode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The IDL name, e.g. `FAIL_SLOW`.
    public var rawValue: String

    /// Wraps an IDL name.
    /// - Parameter rawValue: The fail mode name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Maps the i32 enum value of the RPC form (`FAIL_SLOW`=0, `FAIL_SKIP`=1, `FAIL_FAST`=2) to its name.
    /// - Parameter rpcValue: The wire value; unknown values become `FAIL_UNKNOWN_<n>`.
    public init(rpcValue: Int32) {
        switch rpcValue {
        case 0: self = .slow
        case 1: self = .skip
        case 2: self = .fast
        default: self.init(rawValue: "FAIL_UNKNOWN_\(rpcValue)")
        }
    }

    /// `FAIL_SLOW`: retry forever (the default).
    public static let slow = DuplicationFailMode(rawValue: "FAIL_SLOW")
    /// `FAIL_SKIP`: drop mutations that fail to ship: known data loss on the backup.
    public static let skip = DuplicationFailMode(rawValue: "FAIL_SKIP")
    /// `FAIL_FAST`: kill the server process.
    public static let fast = DuplicationFailMode(rawValue: "FAIL_FAST")

    /// The IDL name.
    public var description: String { self.rawValue }
}
