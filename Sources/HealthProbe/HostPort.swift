/// A validated `host:port` network address (a MetaServer, ReplicaServer or redirect target).
struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// A host name, IPv4 literal, or bracketed IPv6 literal (brackets kept).
    var host: String
    /// The TCP port, 1...65535.
    var port: Int

    /// Parses `host:port`; `nil` when either part is missing or malformed (e.g. `invalid host_port`).
    init?(parsing text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = text[..<colon]
        let portText = text[text.index(after: colon)...]
        guard !host.isEmpty, !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
            let port = Int(portText), (1...65_535).contains(port)
        else { return nil }
        if host.first == "[" {
            guard host.last == "]", host.count > 2,
                host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
            else { return nil }
        } else {
            guard host.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "." || $0 == "-" || $0 == "_" }) else {
                return nil
            }
        }
        self.host = String(host)
        self.port = port
    }

    /// Extracts the authority of an absolute `http://host:port/...` URL, such as a 307 `Location`.
    /// - Returns: `nil` when the URL has no `http://` scheme or its authority is not a valid `host:port`.
    init?(httpLocation location: String) {
        let scheme = "http://"
        guard location.count > scheme.count, location.lowercased().hasPrefix(scheme) else { return nil }
        let rest = location.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        self.init(parsing: authority)
    }

    /// `host:port`.
    var description: String { "\(self.host):\(self.port)" }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self.isASCII && self.isNumber }
    fileprivate var isASCIILetterOrDigit: Bool { self.isASCII && (self.isLetter || self.isNumber) }
}
