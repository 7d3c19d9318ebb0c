#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// RFC 3339 UTC timestamps with milliseconds (`2026-01-02T03:04:05.678Z`), as instance records store them.
enum RFC3339Milliseconds {
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    /// `2026-01-02T03:04:05.678Z`.
    static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let base = Date(timeIntervalSince1970: seconds).formatted(Self.wholeSeconds)
        let digits = String(fraction)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Parses a UTC timestamp with any number of fractional digits, or none; `nil` when it is not one.
    static func parse(_ text: String) -> Date? {
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
