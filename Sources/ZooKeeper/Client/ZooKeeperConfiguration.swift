/// How a ``ZooKeeperClient`` connects.
public struct ZooKeeperConfiguration: Sendable {
    /// Servers as `host:port` strings; the C client picks among them and fails over.
    public var hosts: [String]
    /// The session timeout requested from the server (it clamps it to its `minSessionTimeout`..`maxSessionTimeout`).
    /// Default 10 s.
    public var sessionTimeout: Duration
    /// How long ``ZooKeeperClient/connect()`` waits for a session. Default 10 s.
    public var connectTimeout: Duration
    /// Credentials added to every session this client creates, including sessions that replace expired ones.
    /// Default none.
    public var auth: ZooKeeperAuth?
    /// The ACL for ``ZooKeeperClient/create(_:data:mode:acl:createParents:)`` calls that pass none.
    /// Default ``ZooKeeperACL/openUnsafe``.
    public var defaultACL: ZooKeeperACL

    /// Creates a configuration.
    /// - Parameters:
    ///   - hosts: Servers as `host:port`.
    ///   - sessionTimeout: The requested session timeout.
    ///   - connectTimeout: How long ``ZooKeeperClient/connect()`` waits.
    ///   - auth: Credentials for every session, or `nil`.
    ///   - defaultACL: The ACL for creates that pass none.
    public init(
        hosts: [String],
        sessionTimeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(10),
        auth: ZooKeeperAuth? = nil,
        defaultACL: ZooKeeperACL = .openUnsafe
    ) {
        self.hosts = hosts
        self.sessionTimeout = sessionTimeout
        self.connectTimeout = connectTimeout
        self.auth = auth
        self.defaultACL = defaultACL
    }

    /// The comma-separated host list for `zookeeper_init2`.
    var connectString: String { hosts.joined(separator: ",") }

    /// The session timeout in whole milliseconds, clamped to `Int32`.
    var sessionTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = sessionTimeout.components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return Int32.max }
        let total = milliseconds.partialValue + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
