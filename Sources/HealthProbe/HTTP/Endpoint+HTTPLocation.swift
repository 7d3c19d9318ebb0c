import PegasusWire

extension Endpoint {
    /// Parses `host:port` with the one ``Endpoint`` grammar; `nil` when it does not parse.
    init?(validating text: some StringProtocol) {
        guard let endpoint = try? Endpoint(parsing: String(text)) else { return nil }
        self = endpoint
    }

    /// Extracts the authority of an absolute `http://host:port/...` URL, such as a 307 `Location`.
    /// - Returns: `nil` when the URL has no `http://` scheme or its authority is not a valid `host:port`.
    init?(httpLocation location: String) {
        let scheme = "http://"
        guard location.count > scheme.count, location.lowercased().hasPrefix(scheme) else { return nil }
        let rest = location.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        self.init(validating: authority)
    }
}
