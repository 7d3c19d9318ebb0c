/// Durations as written in policy files.
///
/// Grammar: one or more `<digits><unit>` groups, unit `ms`, `s`, `m` or `h`, no spaces:
/// `500ms`, `2s`, `1m`, `1h`, `1m30s`. At most 9 digits per group. A bare `0` is zero.
/// Any other bare number is **rejected**: `30` could mean 30 ms or 30 s to different readers,
/// and a policy that fails over 1000 times too early is worse than a load error.
public enum PolicyDuration {
    /// Parses a policy duration; `nil` when `text` does not follow the grammar.
    /// - Parameter text: e.g. `500ms`, `2s`, `1m30s`, `0`.
    /// - Returns: The duration, or `nil`.
    public static func parse(_ text: String) -> Duration? {
        if text == "0" {
            return .zero
        }
        var rest = Substring(text)
        guard !rest.isEmpty else {
            return nil
        }
        var total = Duration.zero
        while !rest.isEmpty {
            let digits = rest.prefix { ("0"..."9").contains($0) }
            guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else {
                return nil
            }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            default: return nil
            }
        }
        return total
    }

    /// Formats a duration for humans and for policy files: `250ms`, `2s`, `1.5s`, `5m`, `1h`.
    /// - Parameter duration: Any duration; sub-millisecond parts are dropped.
    /// - Returns: The shortest exact form in whole hours, minutes or seconds, else seconds with a fraction.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 0 {
            return "-" + format(.milliseconds(-milliseconds))
        }
        switch milliseconds {
        case 0: return "0s"
        case let ms where ms % 3_600_000 == 0: return "\(ms / 3_600_000)h"
        case let ms where ms % 60_000 == 0: return "\(ms / 60_000)m"
        case let ms where ms % 1000 == 0: return "\(ms / 1000)s"
        case let ms where ms < 1000: return "\(ms)ms"
        default:
            var fraction = String(milliseconds % 1000)
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") {
                fraction.removeLast()
            }
            return "\(milliseconds / 1000).\(fraction)s"
        }
    }
}
