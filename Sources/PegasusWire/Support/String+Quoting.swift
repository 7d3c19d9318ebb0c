extension String {
    /// The string in double quotes for an error message: escaped like ``jsonQuoted(limit:)`` and cut to 80
    /// characters so hostile input cannot flood a log line.
    public var diagnosticQuoted: String {
        jsonQuoted(limit: 80)
    }

    /// The string as a JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    /// - Parameter limit: If given, only this many Unicode scalars are kept and "…" marks the cut.
    public func jsonQuoted(limit: Int? = nil) -> String {
        var result = "\""
        for (index, scalar) in unicodeScalars.enumerated() {
            if index == limit {
                result += "…"
                break
            }
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
