import Logging
import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The `log` section.
    public struct LogSettings: Sendable, Equatable {
        /// `log.level`: trace, debug, info, notice, warning (or warn), error or critical. Default `info`.
        public var level: Logger.Level
        /// `log.format`: `text` (default) or `json` (one JSON object per line).
        public var format: LogFormat

        /// The settings with every default.
        public init() {
            level = .info
            format = .text
        }

        static let keys: Set<String> = ["level", "format"]

        /// Reads the section, keeping defaults for absent keys.
        init(document: DocumentValue) throws(DocumentError) {
            self.init()
            let section = try document.mapping(knownKeys: Self.keys)
            if let value = section["level"] {
                let text = try value.string().lowercased()
                guard let level = Logger.Level(rawValue: text == "warn" ? "warning" : text) else {
                    let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                    throw value.mismatch(expected: "one of \(names)")
                }
                self.level = level
            }
            if let value = section["format"] {
                guard let format = LogFormat(rawValue: try value.string().lowercased()) else {
                    throw value.mismatch(expected: "text or json")
                }
                self.format = format
            }
        }
    }
}
