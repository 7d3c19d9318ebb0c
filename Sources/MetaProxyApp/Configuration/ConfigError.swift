import PegasusWire
import RouteModel
import Router

/// The proxy configuration cannot be used.
///
/// The description names the file, the key path and what is wrong, e.g.
/// `proxy.yaml: server.max_connections: expected a positive integer, got "lots"`. It never holds secrets
/// (ZooKeeper credentials).
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadableFile
            case syntax
            case unknownKey
            case invalidValue
            case noRouteSource
            case conflictingRouteSources
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The configuration file (or a file it names) cannot be read.
        public static let unreadableFile = Code(.unreadableFile)
        /// The file is not valid YAML.
        public static let syntax = Code(.syntax)
        /// The file has a key the proxy does not know (a typo, or a setting of another version).
        public static let unknownKey = Code(.unknownKey)
        /// A value has the wrong type or is out of range.
        public static let invalidValue = Code(.invalidValue)
        /// Neither `zookeeper.address` nor `routes_file` is set.
        public static let noRouteSource = Code(.noRouteSource)
        /// Both `zookeeper.address` and `routes_file` are set.
        public static let conflictingRouteSources = Code(.conflictingRouteSources)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The configuration file, when the problem comes from one.
    public var file: String?
    /// The key path, e.g. `server.max_connections`, when the problem is at a key.
    public var keyPath: String?
    /// What is wrong, for people.
    public var reason: String

    /// Creates a configuration error.
    public init(code: Code, file: String? = nil, keyPath: String? = nil, reason: String) {
        self.code = code
        self.file = file
        self.keyPath = keyPath
        self.reason = reason
    }

    /// Wraps a document error found in `file`.
    init(_ error: DocumentError, file: String?) {
        let code: Code
        switch error.kind {
        case .syntax: code = .syntax
        case .unknownKey: code = .unknownKey
        case .invalidValue: code = .invalidValue
        }
        self.init(code: code, file: file, keyPath: error.path.isEmpty ? nil : error.path, reason: error.message)
    }

    /// `<file>: <key path>: <reason>`, leaving out the parts that are absent.
    public var description: String {
        ([file, keyPath].compactMap { $0 } + [reason]).joined(separator: ": ")
    }
}
