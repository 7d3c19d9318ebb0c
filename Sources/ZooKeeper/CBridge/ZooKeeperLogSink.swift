import CZooKeeper
import Logging
import NIOConcurrencyHelpers

/// The process-wide destination of the C client's log lines.
///
/// This is the module's only global, and deliberately so: the C client's log callback (`log_callback_fn`, passed
/// to `zookeeper_init2`) receives only the formatted message, with no context pointer, so it cannot find the
/// `Logger` of the client that logged. The sink is set once, by the first ``ZooKeeperClient``, under a lock (or
/// explicitly by ``ZooKeeperLibraryLog/route(to:)``); later clients log their own events to their own loggers,
/// and C lines of every handle go to the sink's logger. `zoo_set_debug_level` is process-wide too and is set
/// at the same time from that logger's level.
///
/// Repeats are folded by shape (the message without its timestamp, thread and numbers) with a
/// ``RepeatedLogLimiter``: during an outage the C client logs the same connection error for every attempt.
final class ZooKeeperLogSink: Sendable {
    private struct State {
        var logger: Logger?
        var limiter = RepeatedLogLimiter<ContinuousClock.Instant>(interval: ZooKeeperLogSink.foldInterval)
    }

    /// The one sink of the process.
    static let shared = ZooKeeperLogSink()
    /// How long a repeated line stays folded.
    static let foldInterval: Duration = .seconds(10)

    private let state = NIOLockedValueBox(State())

    private init() {}

    /// Installs `logger` if no logger is installed yet, and sets the C client's level to match it.
    func installIfUnset(_ logger: Logger) {
        let installed = state.withLockedValue { state -> Bool in
            guard state.logger == nil else { return false }
            state.logger = logger
            return true
        }
        if installed {
            // Process-wide C state, set once under the same set-once decision.
            zoo_set_debug_level(Self.cLevel(for: logger.logLevel))
        }
    }

    /// Installs `logger`, replacing any, and sets the C client's level to match it.
    func install(_ logger: Logger) {
        state.withLockedValue { $0.logger = logger }
        zoo_set_debug_level(Self.cLevel(for: logger.logLevel))
    }

    /// Sets the C client's level (the installed logger filters by its own level too).
    func setLevel(_ level: Logger.Level) {
        zoo_set_debug_level(Self.cLevel(for: level))
    }

    /// Logs one C line, unless it repeats a recent one. Called on C threads and on the thread calling
    /// `zookeeper_init2`/`zookeeper_close`.
    func log(cMessage: UnsafePointer<CChar>) {
        let message = String(cString: cMessage)
        let level = Self.swiftLevel(forCMessage: message)
        let shape = Self.shape(of: message)
        let now = ContinuousClock.now
        let decided = state.withLockedValue { state -> (Logger, RepeatedLogLimiter<ContinuousClock.Instant>.Decision)? in
            guard let logger = state.logger, logger.logLevel <= level else { return nil }
            return (logger, state.limiter.admit(shape, at: now))
        }
        guard let (logger, decision) = decided else { return }
        var metadata: Logger.Metadata = [ZooKeeperLoggingKeys.cMessage: "\(message)"]
        switch decision {
        case .suppress:
            return
        case .log:
            break
        case .logWithSummary(let count, let duration):
            metadata[ZooKeeperLoggingKeys.cRepeated] = "\(count) times in \(duration.components.seconds) s"
        }
        logger.log(level: level, "ZooKeeper C client", metadata: metadata)
    }

    /// The C line's level as a swift-log level: `ZOO_ERROR` error, `ZOO_WARN` warning, `ZOO_INFO` info,
    /// `ZOO_DEBUG` (and anything else) debug.
    static func swiftLevel(forCMessage message: String) -> Logger.Level {
        if message.contains(":ZOO_ERROR@") { return .error }
        if message.contains(":ZOO_WARN@") { return .warning }
        if message.contains(":ZOO_INFO@") { return .info }
        return .debug
    }

    /// What makes two C lines "the same": the text from the level marker on (dropping the timestamp,
    /// process and thread), with every run of digits replaced by `#` (ports, retry counts, session ids).
    static func shape(of message: String) -> String {
        var text = Substring(message)
        if let marker = message.firstRange(of: ":ZOO_") { text = message[marker.lowerBound...] }
        var shape = ""
        shape.reserveCapacity(min(text.utf8.count, 256))
        var inDigits = false
        for character in text.prefix(256) {
            if character.isASCII, character.isNumber {
                if !inDigits { shape.append("#") }
                inDigits = true
            } else {
                shape.append(character)
                inDigits = false
            }
        }
        return shape
    }

    /// The C level that produces exactly the lines `level` would show after ``swiftLevel(forCMessage:)``.
    static func cLevel(for level: Logger.Level) -> ZooLogLevel {
        switch level {
        case .trace, .debug: ZOO_LOG_LEVEL_DEBUG
        case .info, .notice: ZOO_LOG_LEVEL_INFO
        case .warning: ZOO_LOG_LEVEL_WARN
        case .error, .critical: ZOO_LOG_LEVEL_ERROR
        }
    }
}
