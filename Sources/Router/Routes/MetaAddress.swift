/// The "host:port" address of one Pegasus MetaServer.
///
/// Parsed strictly (see ``init(parsing:)``): host is a dotted-quad IPv4 address or a DNS name (stored
/// lowercased), port is 1-65535. ``description`` gives back the canonical "host:port".
public struct MetaAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 address or the lowercased DNS name.
    public let host: String
    /// The TCP port, 1-65535.
    public let port: Int

    /// Parses a "host:port" string such as `"127.0.0.1:34601"` or `"meta1.example.com:34601"`.
    /// - Throws: ``AddressParseError`` naming the text and what is wrong with it.
    public init(parsing text: String) throws(AddressParseError) {
        (host, port) = try HostPortSyntax.parse(text, allowsPortZero: false)
    }

    /// Creates an address from its parts, validated like ``init(parsing:)``.
    /// - Throws: ``AddressParseError`` if the host or the port is invalid.
    public init(host: String, port: Int) throws(AddressParseError) {
        guard (1...65535).contains(port) else {
            throw AddressParseError(
                code: .invalidPort,
                text: "\(host):\(port)",
                reason: "port \(port) is not in 1-65535"
            )
        }
        self.host = try HostPortSyntax.normalizedHost(host)
        self.port = port
    }

    /// "host:port".
    public var description: String { "\(host):\(port)" }
}
