import Logging
import Synchronization

/// A log handler that keeps every record, for assertions on what was logged.
public struct RecordingLogHandler: LogHandler {
    /// One logged line.
    public struct Record: Sendable {
        /// Its level.
        public var level: Logger.Level
        /// Its message.
        public var message: String
        /// The handler's metadata merged with the line's.
        public var metadata: Logger.Metadata
        /// The error logged with it, described.
        public var error: String?
    }

    /// Where the records go; shared by every copy of the handler.
    public final class Storage: Sendable {
        let records = Mutex<[Record]>([])

        /// An empty storage.
        public init() {}

        /// The records so far, oldest first.
        public var all: [Record] { records.withLock { $0 } }
    }

    /// Where this handler keeps its records.
    public let storage: Storage
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    /// A handler that keeps its records in `storage`.
    public init(storage: Storage) {
        self.storage = storage
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let record = Record(
            level: event.level,
            message: event.message.description,
            metadata: metadata.merging(event.metadata ?? [:]) { $1 },
            error: event.error.map { String(describing: $0) }
        )
        storage.records.withLock { $0.append(record) }
    }

    /// A logger at trace level whose records land in the returned storage.
    public static func logger() -> (Logger, Storage) {
        let storage = Storage()
        return (Logger(label: "test") { _ in RecordingLogHandler(storage: storage) }, storage)
    }
}
