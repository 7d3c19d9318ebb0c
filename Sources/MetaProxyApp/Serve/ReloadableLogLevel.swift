import Foundation
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

    /// A stderr log handler for `label` following this level (unless a logger sets its own), writing
    /// lines in `format` (`log.format`).
    public func standardErrorHandler(label: String, format: LogFormat = .text) -> ReloadableLevelLogHandler {
        ReloadableLevelLogHandler(label: label, format: format, level: self)
    }
}

/// A log handler whose level is the process's ``ReloadableLogLevel`` until someone sets one on it;
/// it writes each event as one line on stderr (``LogLineFormat``), with one `write` per line.
public struct ReloadableLevelLogHandler: LogHandler {
    private let label: String
    private let format: LogFormat
    private let shared: ReloadableLogLevel
    private var override: Logger.Level?

    /// The metadata of the handler.
    public var metadata: Logger.Metadata = [:]

    /// The metadata provider of the handler.
    public var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: LogFormat, level: ReloadableLogLevel) {
        self.label = label
        self.format = format
        self.shared = level
        self.metadataProvider = LoggingSystem.metadataProvider
    }

    /// The shared level, or the level set on this handler.
    public var logLevel: Logger.Level {
        get { override ?? shared.level }
        set { override = newValue }
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the line (the logger already checked the level).
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, provided in provided }
        }
        if let own = event.metadata {
            merged.merge(own) { _, own in own }
        }
        let line = LogLineFormat.line(
            format, date: Date(), level: event.level, label: label, source: event.source,
            message: event.message.description, metadata: merged)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
