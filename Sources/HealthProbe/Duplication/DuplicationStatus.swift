/// A duplication's status, as named by the IDL enum `duplication_status` (`DS_LOG`, …).
///
/// An extensible string value: names this code does not know are kept as they came. Codable as
/// a single string (the standard library's `RawRepresentable` conformance).
public struct DuplicationStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The IDL name, e.g. `DS_LOG`.
    public var rawValue: String

    /// Wraps an IDL name.
    /// - Parameter rawValue: The status name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Maps the i32 enum value of the RPC form (`DS_INIT`=0 … `DS_REMOVED`=5) to its name.
    /// - Parameter rpcValue: The wire value; unknown values become `DS_UNKNOWN_<n>`.
    public init(rpcValue: Int32) {
        switch rpcValue {
        case 0: self = .initial
        case 1: self = .prepare
        case 2: self = .app
        case 3: self = .log
        case 4: self = .pause
        case 5: self = .removed
        default: self.init(rawValue: "DS_UNKNOWN_\(rpcValue)")
        }
    }

    /// `DS_INIT`: created, not started.
    public static let initial = DuplicationStatus(rawValue: "DS_INIT")
    /// `DS_PREPARE`: the source prepares a checkpoint.
    public static let prepare = DuplicationStatus(rawValue: "DS_PREPARE")
    /// `DS_APP`: the follower table is being created and the checkpoint copied.
    public static let app = DuplicationStatus(rawValue: "DS_APP")
    /// `DS_LOG`: steady state, mutations are shipped to the remote.
    public static let log = DuplicationStatus(rawValue: "DS_LOG")
    /// `DS_PAUSE`: paused by an operator; lag grows.
    public static let pause = DuplicationStatus(rawValue: "DS_PAUSE")
    /// `DS_REMOVED`: removed.
    public static let removed = DuplicationStatus(rawValue: "DS_REMOVED")

    /// The IDL name.
    public var description: String { self.rawValue }
}
