import Logging
import PegasusWire
import RouteModel
import Router

/// Command-line values that replace those of the configuration file (see
/// ``ProxyConfiguration/applying(overrides:)``); `nil` keeps the file's value.
public struct ConfigOverrides: Sendable, Equatable {
    /// Replaces `server.listen`.
    public var listen: Endpoint?
    /// Replaces `server.admin_listen`.
    public var adminListen: Endpoint?
    /// Replaces `zookeeper.address` (and drops the file's `routes_file`).
    public var zookeeperHosts: [Endpoint]?
    /// Replaces `zookeeper.root`.
    public var zookeeperRoot: String?
    /// Replaces `routes_file` (and drops the file's `zookeeper.address`); relative to the working directory.
    public var routesFile: String?
    /// Replaces `log.level`.
    public var logLevel: Logger.Level?
    /// Replaces `server.threads` (0 = one per usable CPU).
    public var threads: Int?
    /// Replaces `log.format`.
    public var logFormat: LogFormat? = nil

    /// Creates overrides; every value defaults to "keep the file's".
    public init(
        listen: Endpoint? = nil,
        adminListen: Endpoint? = nil,
        zookeeperHosts: [Endpoint]? = nil,
        zookeeperRoot: String? = nil,
        routesFile: String? = nil,
        logLevel: Logger.Level? = nil,
        threads: Int? = nil
    ) {
        self.listen = listen
        self.adminListen = adminListen
        self.zookeeperHosts = zookeeperHosts
        self.zookeeperRoot = zookeeperRoot
        self.routesFile = routesFile
        self.logLevel = logLevel
        self.threads = threads
    }
}
