import NIOCore

/// `duplication_status` (idl/duplication.thrift; docs/pegasus-reference.md §12.3).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct DuplicationStatus: ThriftEnum {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// DS_INIT: created, not started.
    public static let initial = DuplicationStatus(rawValue: 0)
    /// DS_PREPARE: preparing a checkpoint.
    public static let prepare = DuplicationStatus(rawValue: 1)
    /// DS_APP: creating the follower table, copying the checkpoint.
    public static let app = DuplicationStatus(rawValue: 2)
    /// DS_LOG: steady state, shipping the write-ahead log.
    public static let log = DuplicationStatus(rawValue: 3)
    /// DS_PAUSE: paused by an operator.
    public static let pause = DuplicationStatus(rawValue: 4)
    /// DS_REMOVED.
    public static let removed = DuplicationStatus(rawValue: 5)

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "DS_INIT",
        1: "DS_PREPARE",
        2: "DS_APP",
        3: "DS_LOG",
        4: "DS_PAUSE",
        5: "DS_REMOVED",
    ]
}
