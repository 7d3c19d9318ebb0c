import Logging
import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The `log` section.
    public struct LogSettings: Sendable, Equatable {
        /// `log.level`: trace, debug, info, notice, warning (or warn), error or critical. Default `info`.
        public var level: Logger.Level

        /// The settings with every default.
        public init() {
            level = .info
        }

        static let keys: Set<String> = ["level"]

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
        }
    }
}
