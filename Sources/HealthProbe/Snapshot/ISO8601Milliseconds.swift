#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// ISO 8601 UTC timestamps with exactly three fractional digits, rounded to the millisecond, so that
/// formatting a parsed value gives back the same text (Foundation's fractional style truncates, which
/// drifts by a millisecond on a parse/format round trip).
public enum ISO8601Milliseconds {
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    /// `2026-01-02T03:04:05.678Z`.
    public static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let base = Date(timeIntervalSince1970: seconds).formatted(Self.wholeSeconds)
        let digits = String(fraction)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Parses ``format(_:)`` output (any number of fractional digits, or none).
    /// - Returns: `nil` when the text is not an ISO 8601 UTC timestamp.
    public static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return nil }
        var base = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)..<text.index(before: text.endIndex)]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Double("0." + digits)
            else { return nil }
            fraction = value
            base = String(text[..<dot]) + "Z"
        }
        guard let whole = try? Self.wholeSeconds.parse(base) else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}
