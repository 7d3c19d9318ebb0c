import Logging
import ZooKeeper

/// Logging of operator commands (`route ...`, `failover ...`).
public enum CommandLogging {
    /// Routes the ZooKeeper C client's own lines: left out by default (a failed command prints its one
    /// error line, not the C client's retries), on stderr at debug with `verbose` (`--verbose`).
    /// Call before the command's first ZooKeeper client is created.
    public static func configureZooKeeperLibrary(verbose: Bool) {
        var logger = Logger(label: "meta-proxy.zookeeper") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .critical
        ZooKeeperLibraryLog.route(to: logger)
    }
}
