/// The strict "host:port" grammar of ``Endpoint``.
///
/// host is a dotted-quad IPv4 address (no leading zeros), a bracketed IPv6 literal (`[fe80::1]`, hex
/// groups and colons, at most one `::`, an optional dotted-quad tail; stored lowercased without the
/// brackets) or a DNS name (RFC 1123 labels of letters, digits and hyphens, 1-63 bytes each, at most 253
/// bytes, last label not all digits; lowercased). port is a decimal number without sign or leading zeros.
/// Unbracketed IPv6 literals and whitespace are rejected.
enum EndpointSyntax {
    /// Parses `text` into a normalized host and a port.
    /// - Parameters:
    ///   - text: The text to parse.
    ///   - allowsPortZero: Whether port 0 (an ephemeral port, for listeners) is accepted.
    static func parse(_ text: String, allowsPortZero: Bool) throws(AddressParseError) -> (host: String, port: Int) {
        let bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: "[") {
            return try parseBracketed(bytes, text: text, allowsPortZero: allowsPortZero)
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            throw AddressParseError(code: .missingPort, text: text, reason: "no \":port\"")
        }
        let hostBytes = bytes[..<colon]
        let portBytes = bytes[(colon + 1)...]
        if portBytes.contains(UInt8(ascii: ":")) {
            throw AddressParseError(
                code: .invalidHost,
                text: text,
                reason: "more than one \":\" (write an IPv6 literal in brackets: [::1]:34601)"
            )
        }
        let host = try normalizedHost(hostBytes, text: text)
        let port = try parsePort(portBytes, text: text, allowsZero: allowsPortZero)
        return (host, port)
    }

    /// Validates a host on its own and returns it normalized (DNS names and IPv6 literals lowercased,
    /// IPv6 brackets removed).
    static func normalizedHost(_ host: String) throws(AddressParseError) -> String {
        var bytes = Array(host.utf8)[...]
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            bytes = bytes.dropFirst().dropLast()
        }
        if bytes.contains(UInt8(ascii: ":")) {
            return try checkedIPv6(bytes, text: host)
        }
        return try normalizedHost(bytes, text: host)
    }

    /// `[v6]:port`.
    private static func parseBracketed(
        _ bytes: [UInt8], text: String, allowsPortZero: Bool
    ) throws(AddressParseError) -> (host: String, port: Int) {
        guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else {
            throw AddressParseError(code: .invalidHost, text: text, reason: "\"[\" without \"]\"")
        }
        let after = bytes[(close + 1)...]
        guard after.first == UInt8(ascii: ":") else {
            throw AddressParseError(code: .missingPort, text: text, reason: "no \":port\" after \"]\"")
        }
        let host = try checkedIPv6(bytes[1..<close], text: text)
        let port = try parsePort(after.dropFirst(), text: text, allowsZero: allowsPortZero)
        return (host, port)
    }

    /// Checks the shape of an IPv6 literal (without brackets) and returns it lowercased.
    private static func checkedIPv6(_ bytes: ArraySlice<UInt8>, text: String) throws(AddressParseError) -> String {
        func invalid(_ reason: String) -> AddressParseError {
            AddressParseError(code: .invalidHost, text: text, reason: reason)
        }
        guard bytes.count >= 2, bytes.count <= 45 else { throw invalid("IPv6 literal empty or too long") }
        let colon = UInt8(ascii: ":")
        let text6 = Array(bytes)
        var compressions = 0
        for index in 1..<text6.count where text6[index] == colon && text6[index - 1] == colon {
            compressions += 1
        }
        guard compressions <= 1, !text6.indices.dropFirst(2).contains(where: {
            text6[$0] == colon && text6[$0 - 1] == colon && text6[$0 - 2] == colon
        }) else { throw invalid("more than one \"::\" in an IPv6 literal") }
        if text6[0] == colon, text6[1] != colon { throw invalid("IPv6 literal starts with a single \":\"") }
        if text6[text6.count - 1] == colon, text6[text6.count - 2] != colon {
            throw invalid("IPv6 literal ends with a single \":\"")
        }
        let groups = text6.split(separator: colon)
        var hexGroups = 0
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, group.contains(UInt8(ascii: ".")) {
                try checkIPv4(group, text: text)
                hexGroups += 2
                continue
            }
            guard group.count <= 4, group.allSatisfy(isHexDigit) else {
                throw invalid("\(String(decoding: group, as: UTF8.self).diagnosticQuoted) is not an IPv6 group")
            }
            hexGroups += 1
        }
        guard compressions == 1 ? hexGroups < 8 : hexGroups == 8 else {
            throw invalid("an IPv6 literal needs 8 groups, or fewer with \"::\"")
        }
        return String(decoding: bytes.map(lowercased), as: UTF8.self)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    private static func normalizedHost(_ bytes: ArraySlice<UInt8>, text: String) throws(AddressParseError) -> String {
        guard !bytes.isEmpty else {
            throw AddressParseError(code: .invalidHost, text: text, reason: "empty host")
        }
        let isDigitsAndDots = bytes.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ".") }
        if isDigitsAndDots {
            try checkIPv4(bytes, text: text)
            return String(decoding: bytes, as: UTF8.self)
        }
        try checkDNSName(bytes, text: text)
        return String(decoding: bytes.map(lowercased), as: UTF8.self)
    }

    private static func checkIPv4(_ bytes: ArraySlice<UInt8>, text: String) throws(AddressParseError) {
        let octets = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard octets.count == 4 else {
            throw AddressParseError(code: .invalidHost, text: text, reason: "an IPv4 address needs 4 numbers")
        }
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.count == 1 || octet.first != UInt8(ascii: "0"),
                decimalValue(octet) <= 255
            else {
                throw AddressParseError(
                    code: .invalidHost,
                    text: text,
                    reason: "\(String(decoding: octet, as: UTF8.self).diagnosticQuoted) is not an IPv4 number (0-255)"
                )
            }
        }
    }

    private static func checkDNSName(_ bytes: ArraySlice<UInt8>, text: String) throws(AddressParseError) {
        guard bytes.count <= 253 else {
            throw AddressParseError(code: .invalidHost, text: text, reason: "host name longer than 253 bytes")
        }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.count <= 63 else {
                throw AddressParseError(code: .invalidHost, text: text, reason: "host name label empty or too long")
            }
            guard label.allSatisfy({ isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") }) else {
                throw AddressParseError(
                    code: .invalidHost,
                    text: text,
                    reason: "host name may only hold letters, digits, \"-\" and \".\""
                )
            }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                throw AddressParseError(
                    code: .invalidHost,
                    text: text,
                    reason: "host name label starts or ends with \"-\""
                )
            }
        }
        if let last = labels.last, last.allSatisfy(isDigit) {
            throw AddressParseError(code: .invalidHost, text: text, reason: "last host name label is all digits")
        }
    }

    private static func parsePort(
        _ bytes: ArraySlice<UInt8>,
        text: String,
        allowsZero: Bool
    ) throws(AddressParseError) -> Int {
        let quotedPort = String(decoding: bytes, as: UTF8.self).diagnosticQuoted
        guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else {
            throw AddressParseError(code: .invalidPort, text: text, reason: "port \(quotedPort) is not a number")
        }
        let lowest = allowsZero ? 0 : 1
        let range = "\(lowest)-65535"
        guard bytes.count <= 5, bytes.count == 1 || bytes.first != UInt8(ascii: "0") else {
            throw AddressParseError(code: .invalidPort, text: text, reason: "port \(quotedPort) is not in \(range)")
        }
        let port = decimalValue(bytes)
        guard port >= lowest, port <= 65535 else {
            throw AddressParseError(code: .invalidPort, text: text, reason: "port \(quotedPort) is not in \(range)")
        }
        return port
    }

    /// The value of at most 5 ASCII digits (callers check the length and the digits).
    private static func decimalValue(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
