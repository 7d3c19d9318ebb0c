import Logging
import PegasusWire
import RouteModel
import Router
import Synchronization
import ZooKeeper

/// Reports failed writes of failover state: counts each (`metaproxy_failover_state_write_errors_total`)
/// and logs it, at error for a denied write (`NOAUTH`: the ACL does not grant this instance's ZooKeeper
/// identity, so its credentials or the failover ACL are wrong; the message names where the credentials
/// came from), at warning for others; repeats of the same node and code are logged at debug until a
/// write of that node succeeds, so a persistent denial does not flood the log.
public final class StateWriteFailures: Sendable {
    /// The failover state node kinds.
    public struct Node: Hashable, Sendable, CustomStringConvertible {
        /// The metric label.
        public let description: String

        private init(_ name: String) {
            description = name
        }

        /// An election node under ``FailoverPaths/election``.
        public static let election = Node("election")
        /// An effective route under ``FailoverPaths/failoverDirectory``.
        public static let effectiveRoute = Node("effective_route")
        /// The health snapshot ``FailoverPaths/health``.
        public static let health = Node("health")
        /// A persisted lag under ``FailoverPaths/lagDirectory`` (or the clock node read with it).
        public static let lag = Node("lag")
    }

    private let metrics: FailoverMetrics
    private let credentialsSource: String
    private let logger: Logger
    private let lastCode = Mutex<[Node: ZooKeeperError.Code]>([:])

    /// Creates a reporter.
    /// - Parameters:
    ///   - metrics: Where the counter goes.
    ///   - credentialsSource: Where this instance's credentials came from (``ZooKeeperCredentials/source``),
    ///     or `nil` when it has none.
    ///   - logger: The log.
    public init(metrics: FailoverMetrics, credentialsSource: String?, logger: Logger) {
        self.metrics = metrics
        self.credentialsSource = credentialsSource ?? "none"
        self.logger = logger
    }

    /// Counts and logs a failed write of `node` at `path`.
    public func failed(_ node: Node, path: String, error: ZooKeeperError) {
        let isNew = lastCode.withLock { last in
            defer { last[node] = error.code }
            return last[node] != error.code
        }
        metrics.stateWriteFailed(node: node.description, code: Self.label(error.code))
        let metadata: Logger.Metadata = [
            FailoverLoggingKeys.stateNode: "\(node)",
            FailoverLoggingKeys.zkPath: "\(path)",
            FailoverLoggingKeys.authSource: "\(credentialsSource)",
            FailoverLoggingKeys.error: "\(error)",
        ]
        switch (isNew, error.code) {
        case (false, _):
            logger.debug("Writing failover state failed again", metadata: metadata)
        case (true, .noAuth), (true, .authFailed):
            logger.error(
                "ZooKeeper denied a failover state write: check this instance's credentials and the failover ACL",
                metadata: metadata)
        case (true, _):
            logger.warning("Writing failover state failed", metadata: metadata)
        }
    }

    /// Forgets the last failure of `node` after a successful write.
    public func succeeded(_ node: Node) {
        lastCode.withLock { _ = $0.removeValue(forKey: node) }
    }

    private static func label(_ code: ZooKeeperError.Code) -> String {
        switch code {
        case .noAuth: "noauth"
        case .authFailed: "authfailed"
        default: "zookeeper"
        }
    }
}
