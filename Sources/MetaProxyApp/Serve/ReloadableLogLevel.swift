import Logging
import Synchronization

/// The process's log level (`log.level`), changeable while it runs (SIGHUP reload): every logger made
/// by the process's logging bootstrap reads it on each log call, with one relaxed atomic load.
public final class ReloadableLogLevel: Sendable {
    private let raw: Atomic<Int>

    /// A level starting at `level`.
    public init(_ level: Logger.Level) {
        raw = Atomic(Self.index(of: level))
    }

    /// The level now.
    public var level: Logger.Level {
        get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.index(of: newValue), ordering: .relaxed) }
    }

    private static func index(of level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level) ?? 0
    }

    /// A stderr log handler for `label` following this level (unless a logger sets its own).
    public func standardErrorHandler(label: String) -> ReloadableLevelLogHandler {
        ReloadableLevelLogHandler(base: StreamLogHandler.standardError(label: label), level: self)
    }
}

/// A log handler whose level is the process's ``ReloadableLogLevel`` until someone sets one on it.
public struct ReloadableLevelLogHandler: LogHandler {
    private var base: StreamLogHandler
    private let shared: ReloadableLogLevel
    private var override: Logger.Level?

    init(base: StreamLogHandler, level: ReloadableLogLevel) {
        self.base = base
        self.shared = level
    }

    /// The shared level, or the level set on this handler.
    public var logLevel: Logger.Level {
        get { override ?? shared.level }
        set { override = newValue }
    }

    /// The metadata of the handler.
    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    /// The metadata provider of the handler.
    public var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    /// Writes the line (the logger already checked the level).
    public func log(event: LogEvent) {
        base.log(event: event)
    }
}
