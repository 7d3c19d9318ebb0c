/// The one "host:port" address type of meta-proxy: a MetaServer, a ReplicaServer, a listener, a
/// ZooKeeper server, a redirect target.
///
/// Parsed strictly by one grammar (``init(parsing:allowsPortZero:)``): the host is a dotted-quad IPv4
/// address, a bracketed IPv6 literal (`[::1]:34601`) or a DNS name (stored lowercased); the port is
/// 1-65535 (0 too where the caller allows it). ``description`` gives back the canonical "host:port",
/// with brackets around an IPv6 host.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 address, the IPv6 address (without brackets) or the lowercased DNS name.
    public let host: String
    /// The TCP port: 1-65535, or 0 (an ephemeral port) where the parse allowed it.
    public let port: Int

    /// Parses a "host:port" string such as `"127.0.0.1:34601"`, `"[::1]:34601"` or `"meta1.example.com:34601"`.
    /// - Parameters:
    ///   - text: The text to parse.
    ///   - allowsPortZero: Whether port 0 is accepted (listeners: the system picks a free port).
    /// - Throws: ``AddressParseError`` naming the text and what is wrong with it.
    public init(parsing text: String, allowsPortZero: Bool = false) throws(AddressParseError) {
        (host, port) = try EndpointSyntax.parse(text, allowsPortZero: allowsPortZero)
    }

    /// Creates an address from its parts, validated like ``init(parsing:allowsPortZero:)``.
    /// - Throws: ``AddressParseError`` if the host or the port is invalid.
    public init(host: String, port: Int) throws(AddressParseError) {
        guard (1...65535).contains(port) else {
            throw AddressParseError(code: .invalidPort, text: "\(host):\(port)", reason: "port \(port) is not in 1-65535")
        }
        self.host = try EndpointSyntax.normalizedHost(host)
        self.port = port
    }

    /// An address from parts written in the source code (defaults, bound listeners), which are known
    /// to be valid. Nothing checks them: never pass input through this.
    public init(literalHost host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether the host is an IPv6 literal.
    public var isIPv6: Bool { host.utf8.contains(UInt8(ascii: ":")) }

    /// "host:port", or "[host]:port" for an IPv6 host.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
