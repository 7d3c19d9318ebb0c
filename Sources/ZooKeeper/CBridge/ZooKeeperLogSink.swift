import CZooKeeper
import Logging
import NIOConcurrencyHelpers

/// The process-wide destination of the C client's log lines.
///
/// This is the module's only global, and deliberately so: the C client's log callback (`log_callback_fn`, passed
/// to `zookeeper_init2`) receives only the formatted message, with no context pointer, so it cannot find the
/// `Logger` of the client that logged. The sink is set once, by the first ``ZooKeeperClient``, under a lock; later
/// clients log their own events to their own loggers, and C lines of every handle go to the first logger.
/// `zoo_set_debug_level` is process-wide too and is set at the same time from that logger's level.
final class ZooKeeperLogSink: Sendable {
    /// The one sink of the process.
    static let shared = ZooKeeperLogSink()

    private let logger = NIOLockedValueBox<Logger?>(nil)

    private init() {}

    /// Installs `logger` if no logger is installed yet, and sets the C client's level to match it.
    func installIfUnset(_ logger: Logger) {
        let installed = self.logger.withLockedValue { current -> Bool in
            guard current == nil else { return false }
            current = logger
            return true
        }
        if installed {
            // Process-wide C state, set once under the same set-once decision.
            zoo_set_debug_level(Self.cLevel(for: logger.logLevel))
        }
    }

    /// Logs one C line. Called on C threads and on the thread calling `zookeeper_init2`/`zookeeper_close`.
    func log(cMessage: UnsafePointer<CChar>) {
        guard let logger = self.logger.withLockedValue({ $0 }) else { return }
        let message = String(cString: cMessage)
        logger.log(
            level: Self.swiftLevel(forCMessage: message),
            "ZooKeeper C client",
            metadata: [ZooKeeperLoggingKeys.cMessage: "\(message)"]
        )
    }

    /// C errors are reported as warnings (they repeat on every failed connection attempt and the client recovers);
    /// C info and debug lines are debug and trace, as library logs should be.
    static func swiftLevel(forCMessage message: String) -> Logger.Level {
        if message.contains(":ZOO_ERROR@") || message.contains(":ZOO_WARN@") {
            return .warning
        }
        if message.contains(":ZOO_INFO@") {
            return .debug
        }
        return .trace
    }

    /// The C level that produces exactly the lines `level` would show after ``swiftLevel(forCMessage:)``.
    static func cLevel(for level: Logger.Level) -> ZooLogLevel {
        switch level {
        case .trace: ZOO_LOG_LEVEL_DEBUG
        case .debug: ZOO_LOG_LEVEL_INFO
        case .info, .notice, .warning: ZOO_LOG_LEVEL_WARN
        case .error, .critical: ZOO_LOG_LEVEL_ERROR
        }
    }
}
