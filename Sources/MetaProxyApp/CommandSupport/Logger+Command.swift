import Logging

extension Logger {
    /// A logger for operator commands: warnings and errors only, on stderr.
    static func command(_ label: String) -> Logger {
        var logger = Logger(label: label) { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .warning
        return logger
    }
}
