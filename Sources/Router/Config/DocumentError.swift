/// A YAML or JSON document does not have the expected shape, at a key path.
///
/// Internal: ``RouteError`` and ``ConfigError`` wrap it with the file or node path.
struct DocumentError: Error, CustomStringConvertible {
    /// What kind of problem.
    enum Kind: Sendable {
        /// The document is not parsable YAML / JSON at all.
        case syntax
        /// A mapping holds a key nobody reads.
        case unknownKey
        /// A value has the wrong type or is out of range, or a required key is missing.
        case invalidValue
    }

    /// What kind of problem.
    var kind: Kind
    /// The key path, e.g. `server.max_connections` or `tables.t2.meta_addrs[1]`; empty for the whole document.
    var path: String
    /// What is wrong, for people.
    var message: String

    /// `<path>: <message>`, or just the message for the whole document.
    var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}
