import CZooKeeper

/// An error from a ZooKeeper operation: a ``Code`` (usually the C client's return code) plus context.
///
/// Compare codes, not whole errors: `error.code == .noNode`.
public struct ZooKeeperError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong. Raw values are the C client's `ZOO_ERRORS` codes (`ZNONODE` is -101, …); ``cancelled``
    /// is this library's own and outside the C range.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The C return code (`ZOO_ERRORS`), or a value below -10000 for codes of this library.
        public let rawValue: Int32

        private init(_ rawValue: Int32) {
            self.rawValue = rawValue
        }

        /// The node does not exist (`ZNONODE`).
        public static let noNode = Code(ZNONODE.rawValue)
        /// The node already exists (`ZNODEEXISTS`).
        public static let nodeExists = Code(ZNODEEXISTS.rawValue)
        /// The expected version does not match the node's (`ZBADVERSION`).
        public static let badVersion = Code(ZBADVERSION.rawValue)
        /// The node has children (`ZNOTEMPTY`).
        public static let notEmpty = Code(ZNOTEMPTY.rawValue)
        /// The session lacks permission under the node's ACL (`ZNOAUTH`).
        public static let noAuth = Code(ZNOAUTH.rawValue)
        /// The connection to the server was lost before the reply arrived (`ZCONNECTIONLOSS`); the outcome of
        /// a write is unknown.
        public static let connectionLoss = Code(ZCONNECTIONLOSS.rawValue)
        /// The session expired (`ZSESSIONEXPIRED`).
        public static let sessionExpired = Code(ZSESSIONEXPIRED.rawValue)
        /// The operation timed out (`ZOPERATIONTIMEOUT`); also used when ``ZooKeeperClient/connect()`` gives up.
        public static let operationTimeout = Code(ZOPERATIONTIMEOUT.rawValue)
        /// The client is closing or closed (`ZCLOSING`).
        public static let closing = Code(ZCLOSING.rawValue)
        /// The handle cannot take requests (`ZINVALIDSTATE`), for example before ``ZooKeeperClient/connect()``.
        public static let invalidState = Code(ZINVALIDSTATE.rawValue)
        /// An argument was rejected (`ZBADARGUMENTS`), for example a malformed path.
        public static let badArguments = Code(ZBADARGUMENTS.rawValue)
        /// Authentication failed and the session is unusable (`ZAUTHFAILED`).
        public static let authFailed = Code(ZAUTHFAILED.rawValue)
        /// The ACL is invalid (`ZINVALIDACL`).
        public static let invalidACL = Code(ZINVALIDACL.rawValue)
        /// Ephemeral nodes cannot have children (`ZNOCHILDRENFOREPHEMERALS`).
        public static let noChildrenForEphemerals = Code(ZNOCHILDRENFOREPHEMERALS.rawValue)
        /// A system error in the C client (`ZSYSTEMERROR`).
        public static let systemError = Code(ZSYSTEMERROR.rawValue)
        /// The request could not be marshalled, probably out of memory (`ZMARSHALLINGERROR`).
        public static let marshallingError = Code(ZMARSHALLINGERROR.rawValue)
        /// The awaiting task was cancelled. The request may still take effect on the server.
        public static let cancelled = Code(-10_001)

        /// Any other C return code.
        public static func other(_ rawValue: Int32) -> Code {
            Code(rawValue)
        }

        /// The code's name and raw value, with the C client's text for C codes.
        public var description: String {
            if rawValue == Code.cancelled.rawValue {
                return "cancelled (\(rawValue))"
            }
            return "\(rawValue): \(String(cString: zerror(rawValue)))"
        }
    }

    /// What went wrong.
    public var code: Code
    /// The znode path of the operation, if it had one.
    public var path: String?
    /// More context, such as the hosts a connection attempt tried.
    public var detail: String?
    /// For a failed ``ZooKeeperClient/multi(_:)``: the index of the operation the server rejected (``path`` is
    /// its path); `nil` when no single operation failed (connection loss, expiry, a rejected request).
    public var failedOperation: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - path: The znode path of the operation, if any.
    ///   - detail: More context for the description.
    ///   - failedOperation: The index of the rejected operation of a multi, if any.
    public init(_ code: Code, path: String? = nil, detail: String? = nil, failedOperation: Int? = nil) {
        self.code = code
        self.path = path
        self.detail = detail
        self.failedOperation = failedOperation
    }

    /// Names the code, the path and the detail.
    public var description: String {
        var text = "ZooKeeperError(code: \(code)"
        if let failedOperation {
            text += ", operation: \(failedOperation)"
        }
        if let path {
            text += ", path: \(path)"
        }
        if let detail {
            text += ", detail: \(detail)"
        }
        return text + ")"
    }

    /// An error for a C return code.
    init(cCode: Int32, path: String?, detail: String? = nil, failedOperation: Int? = nil) {
        self.init(.other(cCode), path: path, detail: detail, failedOperation: failedOperation)
    }
}
