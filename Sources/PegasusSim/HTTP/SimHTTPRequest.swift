/// An HTTP request target parsed the way rDSN's HTTP server parses it (src/http/http_server.cpp
/// `http_request::parse`): the path and the query are URI-decoded, empty path segments dropped
/// (`/meta//app/` is `meta/app`), a parameter without `=` is a flag with an empty value, and a
/// repeated parameter is an error.
struct SimHTTPRequest: Sendable {
    /// Why a request target could not be parsed.
    struct ParseError: Error, Sendable {
        /// What is wrong, as rDSN words it.
        var detail: String
    }

    /// The path without leading or trailing slashes, segments joined by `/` (e.g. `meta/app`).
    var path: String
    /// The query parameters.
    var query: [String: String]

    /// Parses a request target such as `/meta/app?name=t1&detail`.
    /// - Throws: `ParseError` on a bad percent escape or a repeated parameter.
    init(target: String) throws(ParseError) {
        let pathPart: Substring
        let queryPart: Substring?
        if let mark = target.firstIndex(of: "?") {
            pathPart = target[..<mark]
            queryPart = target[target.index(after: mark)...]
        } else {
            pathPart = target[...]
            queryPart = nil
        }
        let decodedPath = try Self.percentDecode(pathPart)
        path = decodedPath.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        query = [:]
        guard let queryPart, !queryPart.isEmpty else {
            return
        }
        let decodedQuery = try Self.percentDecode(queryPart)
        for item in decodedQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name: String
            let value: String
            if let equals = item.firstIndex(of: "=") {
                name = String(item[..<equals])
                value = String(item[item.index(after: equals)...])
            } else {
                name = String(item)
                value = ""
            }
            guard query[name] == nil else {
                throw ParseError(detail: "ERR_INVALID_PARAMETERS: duplicate parameter: \(name)")
            }
            query[name] = value
        }
    }

    /// The request target rebuilt from the parsed parts, parameters in sorted order: what a
    /// follower MetaServer puts after the leader's address in a 307 `Location`.
    var rebuiltTarget: String {
        var target = "/" + path
        if !query.isEmpty {
            target += "?" + query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
        return target
    }

    private static func percentDecode(_ text: Substring) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw ParseError(detail: "ERR_INVALID_PARAMETERS: bad percent escape in \"\(text)\"")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
