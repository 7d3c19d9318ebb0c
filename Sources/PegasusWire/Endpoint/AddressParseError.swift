/// A "host:port" string that could not be parsed.
///
/// Thrown by ``Endpoint/init(parsing:allowsPortZero:)`` and ``Endpoint/init(host:port:)``. The
/// description names the rejected text and what is wrong with it, e.g.
/// `"x:y" is not host:port: port "y" is not a number`.
public struct AddressParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem the text has.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingPort = "missing port"
            case invalidHost = "invalid host"
            case invalidPort = "invalid port"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The text has no `:port` part.
        public static let missingPort = Code(.missingPort)
        /// The host is neither a dotted IPv4 address nor a DNS name.
        public static let invalidHost = Code(.invalidHost)
        /// The port is not a decimal number in the allowed range.
        public static let invalidPort = Code(.invalidPort)

        /// A short name of the code.
        public var description: String { base.rawValue }
    }

    /// What kind of problem the text has.
    public var code: Code
    /// The rejected text, exactly as given.
    public var text: String
    /// What exactly is wrong, for people.
    public var reason: String

    /// Creates an error for `text`.
    public init(code: Code, text: String, reason: String) {
        self.code = code
        self.text = text
        self.reason = reason
    }

    /// `"<text>" is not host:port: <reason>`.
    public var description: String {
        "\(text.diagnosticQuoted) is not host:port: \(reason)"
    }
}
