import Foundation
import Logging

/// `log.format`: how each log line is written on stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2025-01-01T10:00:00.123Z info meta-proxy : key=value key="two words" [Module] message`.
    case text
    /// One JSON object per line: `timestamp`, `level`, `label`, `source`, `message`, then each
    /// metadata key as a field.
    case json
}

/// Renders one log event as a line (without the newline) in a ``LogFormat``.
public enum LogLineFormat {
    /// The fields of a JSON line that metadata cannot take (a metadata key among them is written
    /// as `metadata.<key>`).
    static let reservedFields: Set<String> = ["timestamp", "level", "label", "source", "message"]

    /// The line for an event.
    /// - Parameters:
    ///   - format: Text or JSON.
    ///   - date: When (written in UTC, RFC 3339 with milliseconds).
    ///   - metadata: The merged metadata (handler, provider and call).
    public static func line(
        _ format: LogFormat, date: Date, level: Logger.Level, label: String, source: String, message: String,
        metadata: Logger.Metadata
    ) -> String {
        let timestamp = LogTimestamp.format(date)
        switch format {
        case .text:
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted(text(of: $0.value)))" }
            let pretty = fields.isEmpty ? "" : " " + fields.joined(separator: " ")
            return "\(timestamp) \(level) \(label) :\(pretty) [\(source)] \(oneLine(message))"
        case .json:
            var object: [String: Any] = [
                "timestamp": timestamp, "level": level.rawValue, "label": label, "source": source, "message": message,
            ]
            for (key, value) in metadata {
                object[reservedFields.contains(key) ? "metadata.\(key)" : key] = json(of: value)
            }
            return CommandJSON.render(object)
        }
    }

    /// A metadata value as text: strings as they are, lists as `[a, b]`, dictionaries as `[k: v]`.
    static func text(of value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(text(of:)).joined(separator: ", ") + "]"
        case .dictionary(let entries):
            "[" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \(text(of: $0.value))" }.joined(separator: ", ")
                + "]"
        }
    }

    /// A metadata value as a JSON value: strings, lists and objects.
    static func json(of value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): items.map(json(of:))
        case .dictionary(let entries): entries.mapValues(json(of:))
        }
    }

    /// `value` as is when it is one plain word; else in double quotes with `\` `"` and control
    /// characters escaped (`\n`, `\t`, `\u{…}`), so `key=value` pairs split unambiguously.
    public static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "=" && scalar != "\\"
                    && !(0x80...0x9F).contains(scalar.value) && !scalar.properties.isWhitespace
            }
        if plain { return value }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// The message on one line (newlines escaped), so one event is one line.
    static func oneLine(_ message: String) -> String {
        guard message.contains(where: \.isNewline) else { return message }
        return message.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// RFC 3339 timestamps in UTC with milliseconds: `2025-01-01T10:00:00.123Z`.
enum LogTimestamp {
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    /// `2026-01-02T03:04:05.678Z` (milliseconds truncated, as clocks print them).
    static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let base = Date(timeIntervalSince1970: seconds).formatted(wholeSeconds)
        let digits = String(fraction)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
