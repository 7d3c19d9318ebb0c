import Logging

/// Where the ZooKeeper C client's own log lines go, process-wide (the C library has one log callback
/// and one level for the whole process).
///
/// By default the first ``ZooKeeperClient`` of the process routes them to its logger. Lines keep the C
/// client's level (`ZOO_ERROR` → error, `ZOO_WARN` → warning, `ZOO_INFO` → info, `ZOO_DEBUG` → debug) and
/// repeats are folded (``RepeatedLogLimiter``: a line of a given shape at most once per 10 s, with the
/// count of those left out).
public enum ZooKeeperLibraryLog {
    /// Sends the C client's lines to `logger` from now on (replacing the logger installed by the first
    /// client), and sets the C client's level from `logger.logLevel`. Command-line tools call it before
    /// creating a client, with a quiet logger unless asked to be verbose.
    public static func route(to logger: Logger) {
        ZooKeeperLogSink.shared.install(logger)
    }

    /// Sets the level of the C client's lines, e.g. after a configuration reload changed `log.level`.
    public static func setLevel(_ level: Logger.Level) {
        ZooKeeperLogSink.shared.setLevel(level)
    }
}
