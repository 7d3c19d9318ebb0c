/// Text made safe for HTML: every value the status page shows passes through ``escape(_:)``.
enum HTMLText {
    /// `s` with `&`, `<`, `>`, `"` and `'` replaced by character references, so that it is text in
    /// element content and in quoted attribute values, never markup.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
