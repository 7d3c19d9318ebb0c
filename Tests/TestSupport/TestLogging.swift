import Foundation
import Logging

/// Loggers for tests.
public enum TestLogging {
    /// A logger that drops everything.
    public static let quiet = Logger(label: "tests") { _ in SwiftLogNoOpLogHandler() }

    /// A logger to standard error at the level named by the environment variable `variable`
    /// (e.g. `FAILOVER_TEST_LOG_LEVEL=debug`), otherwise at `defaultLevel` (only critical lines).
    public static func logger(label: String, levelFrom variable: String, defaultLevel: Logger.Level = .critical)
        -> Logger
    {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        let level = ProcessInfo.processInfo.environment[variable].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? defaultLevel
        return logger
    }
}
