/// The request target of an admin request (`/path?key=value&…`), split into its path and query
/// parameters. Total: every string parses, whatever it holds (the target comes from the network).
///
/// - The path is everything before the first `?`, as sent (handlers are found by exact path).
/// - The query is everything after it; further `?` are ordinary characters. Pairs are separated by
///   `&` (empty pairs, as in `&&`, are skipped) and split at their first `=`: a pair without `=` is a
///   key with an empty value. Keys and values are percent-decoded (`+` is a space); a `%` not followed
///   by two hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
/// - Pairs with an empty key (`?=`, `?=x`) are ignored; a repeated key keeps its last value; at most
///   ``maxParameters`` pairs are read.
public struct AdminRequestTarget: Sendable, Equatable {
    /// The most query parameters read; the rest of the query is ignored.
    public static let maxParameters = 32

    /// The path, e.g. `/readyz`.
    public var path: String
    /// The query parameters.
    public var query: [String: String]

    /// Creates a target from its parts.
    public init(path: String, query: [String: String] = [:]) {
        self.path = path
        self.query = query
    }

    /// Splits `uri` (an HTTP request target).
    public init(parsing uri: String) {
        let bytes = Array(uri.utf8)
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else {
            self.init(path: uri)
            return
        }
        var query: [String: String] = [:]
        var read = 0
        for pair in bytes[(mark + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard read < Self.maxParameters else { break }
            read += 1
            let key: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                key = pair[pair.startIndex..<equals]
                value = pair[(equals + 1)...]
            } else {
                key = pair
                value = []
            }
            guard !key.isEmpty else { continue }
            query[Self.percentDecoded(key)] = Self.percentDecoded(value)
        }
        self.init(path: String(decoding: bytes[..<mark], as: UTF8.self), query: query)
    }

    /// `bytes` with `%XX` escapes decoded and `+` as a space; malformed escapes kept as they are.
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), bytes.endIndex - index >= 3,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
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
