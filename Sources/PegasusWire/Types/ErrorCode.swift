import NIOCore

/// rDSN `error_code`: on the wire a bare Thrift string holding the error name, under a STRUCT
/// field header (docs/pegasus-reference.md §5.1). Any name is kept as received.
public struct ErrorCode: Hashable, Sendable, CustomStringConvertible, ThriftCodable, ExpressibleByStringLiteral {
    /// The error name, e.g. `ERR_OK`.
    public var name: String

    /// Creates an error code from its name.
    public init(_ name: String) {
        self.name = name
    }

    /// Creates an error code from a literal name.
    public init(stringLiteral value: String) {
        self.name = value
    }

    /// Reads the payload: a Thrift string (no struct framing).
    public init(from reader: inout ThriftReader) throws(WireError) {
        self.name = try reader.readString()
    }

    /// Writes the payload: a Thrift string (no struct framing).
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeThriftString(name)
    }

    /// The name.
    public var description: String { name }

    /// Whether rDSN, Java, Go and pypegasus3 all know this name, so it is safe to send in an
    /// envelope or a body `err` (docs/pegasus-reference.md §7.3, "common set").
    public var isCommonToAllClients: Bool { Self.commonToAllClients.contains(name) }

    /// `ERR_OK`.
    public static let ok = ErrorCode("ERR_OK")
    /// `ERR_UNKNOWN`.
    public static let unknown = ErrorCode("ERR_UNKNOWN")
    /// `ERR_TIMEOUT`.
    public static let timeout = ErrorCode("ERR_TIMEOUT")
    /// `ERR_SERVICE_NOT_ACTIVE`: leader not started yet.
    public static let serviceNotActive = ErrorCode("ERR_SERVICE_NOT_ACTIVE")
    /// `ERR_BUSY`.
    public static let busy = ErrorCode("ERR_BUSY")
    /// `ERR_FORWARD_TO_OTHERS`: this MetaServer is not the leader.
    public static let forwardToOthers = ErrorCode("ERR_FORWARD_TO_OTHERS")
    /// `ERR_OBJECT_NOT_FOUND`: no table by that name.
    public static let objectNotFound = ErrorCode("ERR_OBJECT_NOT_FOUND")
    /// `ERR_HANDLER_NOT_FOUND`: no handler for the RPC name (envelope only).
    public static let handlerNotFound = ErrorCode("ERR_HANDLER_NOT_FOUND")
    /// `ERR_INVALID_STATE`.
    public static let invalidState = ErrorCode("ERR_INVALID_STATE")
    /// `ERR_INVALID_DATA`.
    public static let invalidData = ErrorCode("ERR_INVALID_DATA")
    /// ERR_INVALID_PARAMETERS: a request the server cannot act on.
    public static let invalidParameters = ErrorCode("ERR_INVALID_PARAMETERS")
    /// `ERR_APP_NOT_EXIST`.
    public static let appNotExist = ErrorCode("ERR_APP_NOT_EXIST")
    /// `ERR_BUSY_CREATING`: table being created or recalled.
    public static let busyCreating = ErrorCode("ERR_BUSY_CREATING")
    /// `ERR_BUSY_DROPPING`: table being dropped.
    public static let busyDropping = ErrorCode("ERR_BUSY_DROPPING")
    /// `ERR_NETWORK_FAILURE` (outside the common set; pypegasus3 lacks it).
    public static let networkFailure = ErrorCode("ERR_NETWORK_FAILURE")
    /// `ERR_ZOOKEEPER_OPERATION`.
    public static let zookeeperOperation = ErrorCode("ERR_ZOOKEEPER_OPERATION")
    /// `ERR_UNDER_RECOVERY` (outside the common set).
    public static let underRecovery = ErrorCode("ERR_UNDER_RECOVERY")
    /// `ERR_ACL_DENY` (outside the common set).
    public static let aclDeny = ErrorCode("ERR_ACL_DENY")

    /// The 56 names known to rDSN, Java, Go and pypegasus3 (docs/pegasus-reference.md §7.3).
    public static let commonToAllClients: Set<String> = [
        "ERR_OK", "ERR_UNKNOWN", "ERR_SERVICE_NOT_FOUND", "ERR_SERVICE_ALREADY_RUNNING", "ERR_IO_PENDING",
        "ERR_TIMEOUT", "ERR_SERVICE_NOT_ACTIVE", "ERR_BUSY", "ERR_NETWORK_INIT_FAILED", "ERR_FORWARD_TO_OTHERS",
        "ERR_OBJECT_NOT_FOUND", "ERR_HANDLER_NOT_FOUND", "ERR_LEARN_FILE_FAILED", "ERR_GET_LEARN_STATE_FAILED",
        "ERR_INVALID_VERSION", "ERR_INVALID_PARAMETERS", "ERR_CAPACITY_EXCEEDED", "ERR_INVALID_STATE",
        "ERR_INACTIVE_STATE", "ERR_NOT_ENOUGH_MEMBER", "ERR_FILE_OPERATION_FAILED", "ERR_HANDLE_EOF",
        "ERR_WRONG_CHECKSUM", "ERR_INVALID_DATA", "ERR_INVALID_HANDLE", "ERR_INCOMPLETE_DATA",
        "ERR_VERSION_OUTDATED", "ERR_PATH_NOT_FOUND", "ERR_PATH_ALREADY_EXIST", "ERR_ADDRESS_ALREADY_USED",
        "ERR_STATE_FREEZED", "ERR_LOCAL_APP_FAILURE", "ERR_BIND_IOCP_FAILED", "ERR_NETWORK_START_FAILED",
        "ERR_NOT_IMPLEMENTED", "ERR_CHECKPOINT_FAILED", "ERR_WRONG_TIMING", "ERR_NO_NEED_OPERATE",
        "ERR_CORRUPTION", "ERR_TRY_AGAIN", "ERR_CLUSTER_NOT_FOUND", "ERR_CLUSTER_ALREADY_EXIST",
        "ERR_REPLICATION_FAILURE", "ERR_APP_EXIST", "ERR_APP_NOT_EXIST", "ERR_BUSY_CREATING", "ERR_BUSY_DROPPING",
        "ERR_EXPIRED", "ERR_LOCK_ALREADY_EXIST", "ERR_HOLD_BY_OTHERS", "ERR_RECURSIVE_LOCK", "ERR_NO_OWNER",
        "ERR_NODE_ALREADY_EXIST", "ERR_INCONSISTENT_STATE", "ERR_ARRAY_INDEX_OUT_OF_RANGE",
        "ERR_ZOOKEEPER_OPERATION",
    ]
}
