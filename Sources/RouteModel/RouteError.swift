import PegasusWire

/// A route could not be found, read or loaded.
///
/// The description names the source (ZooKeeper node path or file), the key path inside it when there is
/// one, and what is wrong, e.g. `routes.yaml: tables.t2.meta_addrs[1]: "x:y" is not host:port: …`.
public struct RouteError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownTable
            case malformed
            case sourceUnavailable
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The route source has no route for the table (no ZooKeeper node, no entry in the file).
        public static let unknownTable = Code(.unknownTable)
        /// The route source holds data that is not a valid route (bad JSON/YAML, missing cluster, bad address…).
        public static let malformed = Code(.malformed)
        /// The route source cannot be read right now (ZooKeeper down and the table not cached, file unreadable).
        public static let sourceUnavailable = Code(.sourceUnavailable)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The table the lookup was for, when there is one.
    public var table: String?
    /// Where the route was read from: a ZooKeeper node path or a file path.
    public var source: String?
    /// The key path inside the document, e.g. `tables.t2.meta_addrs[1]` or `backups[0].cluster`.
    public var keyPath: String?
    /// What is wrong, for people (names the table where that helps, e.g. `unknown table "t9"`).
    public var reason: String
    /// The error that caused this one (a ZooKeeper or file system error), if any.
    public var underlying: (any Error)?

    /// Creates a route error.
    public init(
        code: Code,
        table: String? = nil,
        source: String? = nil,
        keyPath: String? = nil,
        reason: String,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.table = table
        self.source = source
        self.keyPath = keyPath
        self.reason = reason
        self.underlying = underlying
    }

    /// Wraps a document error found in `source`.
    init(_ error: DocumentError, table: String? = nil, source: String) {
        self.init(
            code: .malformed,
            table: table,
            source: source,
            keyPath: error.path.isEmpty ? nil : error.path,
            reason: error.message
        )
    }

    /// `<source>: <key path>: <reason>: <underlying>`, leaving out the parts that are absent.
    public var description: String {
        var parts: [String] = []
        if let source { parts.append(source) }
        if let keyPath, !keyPath.isEmpty { parts.append(keyPath) }
        parts.append(reason)
        if let underlying { parts.append(String(describing: underlying)) }
        return parts.joined(separator: ": ")
    }
}
