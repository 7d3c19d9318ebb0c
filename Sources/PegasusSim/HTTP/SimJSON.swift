/// A JSON value, written compactly by `render()`. Objects keep the order they are built in; use
/// `sorted(_:)` for nlohmann::json's sorted-key output.
enum SimJSON: Sendable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// true / false.
    case bool(Bool)
    /// null.
    case null
    /// An array.
    case array([SimJSON])
    /// An object with keys in the given order.
    case object([(String, SimJSON)])

    /// An object whose keys are sorted by their UTF-8 bytes, as nlohmann::json (a `std::map`) does.
    static func sorted(_ pairs: [(String, SimJSON)]) -> SimJSON {
        .object(pairs.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
    }

    /// An object of string values in the given order: rDSN's `table_printer` JSON, where every
    /// value is a string.
    static func strings(_ pairs: [(String, String)]) -> SimJSON {
        .object(pairs.map { ($0.0, .string($0.1)) })
    }

    /// Compact JSON text.
    func render() -> String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let value):
            Self.writeString(value, to: &out)
        case .integer(let value):
            out += String(value)
        case .bool(let value):
            out += value ? "true" : "false"
        case .null:
            out += "null"
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
