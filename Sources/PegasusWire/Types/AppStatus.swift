import NIOCore

/// `app_status` (idl/dsn.layer2.thrift): a table's lifecycle state (docs/pegasus-reference.md §5.4).
///
/// An i32 on the wire; values outside the known cases are kept as received.
public struct AppStatus: ThriftEnum {
    /// The i32 wire value.
    public var rawValue: Int32

    /// Wraps a wire value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// AS_INVALID; in a list_apps request: no filter.
    public static let invalid = AppStatus(rawValue: 0)
    /// AS_AVAILABLE.
    public static let available = AppStatus(rawValue: 1)
    /// AS_CREATING.
    public static let creating = AppStatus(rawValue: 2)
    /// AS_CREATE_FAILED.
    public static let createFailed = AppStatus(rawValue: 3)
    /// AS_DROPPING.
    public static let dropping = AppStatus(rawValue: 4)
    /// AS_DROP_FAILED.
    public static let dropFailed = AppStatus(rawValue: 5)
    /// AS_DROPPED.
    public static let dropped = AppStatus(rawValue: 6)
    /// AS_RECALLING.
    public static let recalling = AppStatus(rawValue: 7)

    /// The IDL names of the known values.
    public static let names: [Int32: String] = [
        0: "AS_INVALID",
        1: "AS_AVAILABLE",
        2: "AS_CREATING",
        3: "AS_CREATE_FAILED",
        4: "AS_DROPPING",
        5: "AS_DROP_FAILED",
        6: "AS_DROPPED",
        7: "AS_RECALLING",
    ]
}
