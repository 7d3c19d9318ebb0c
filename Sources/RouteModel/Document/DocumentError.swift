import PegasusWire

/// A YAML or JSON document does not have the expected shape, at a key path.
///
/// ``RouteError`` and the configuration's `ConfigError` wrap it with the file or node path.
public struct DocumentError: Error, CustomStringConvertible {
    /// What kind of problem.
    public enum Kind: Sendable {
        /// The document is not parsable YAML / JSON at all.
        case syntax
        /// A mapping holds a key nobody reads.
        case unknownKey
        /// A value has the wrong type or is out of range, or a required key is missing.
        case invalidValue
    }

    /// What kind of problem.
    public var kind: Kind
    /// The key path, e.g. `server.max_connections` or `tables.t2.meta_addrs[1]`; empty for the whole document.
    public var path: String
    /// What is wrong, for people.
    public var message: String

    /// Creates an error at `path`.
    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `<path>: <message>`, or just the message for the whole document.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
