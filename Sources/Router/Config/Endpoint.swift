/// A "host:port" address of a listener or a ZooKeeper server, parsed strictly like ``MetaAddress``.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 address or the lowercased DNS name.
    public let host: String
    /// The TCP port: 1-65535, or 0 (an ephemeral port) where the parse allowed it.
    public let port: Int

    /// Parses a "host:port" string such as `"0.0.0.0:34601"`.
    /// - Parameters:
    ///   - text: The text to parse.
    ///   - allowsPortZero: Whether port 0 is accepted (listeners: the system picks a free port).
    /// - Throws: ``AddressParseError`` naming the text and what is wrong with it.
    public init(parsing text: String, allowsPortZero: Bool = false) throws(AddressParseError) {
        (host, port) = try HostPortSyntax.parse(text, allowsPortZero: allowsPortZero)
    }

    /// An address from parts written in the source code (defaults), which are known to be valid.
    init(literalHost host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// "host:port".
    public var description: String { "\(host):\(port)" }
}

extension DocumentValue {
    /// This value as a "host:port" string.
    func hostPort(allowsPortZero: Bool) throws(DocumentError) -> Endpoint {
        let text = try string()
        do throws(AddressParseError) {
            return try Endpoint(parsing: text, allowsPortZero: allowsPortZero)
        } catch {
            throw self.error(error.description)
        }
    }
}
