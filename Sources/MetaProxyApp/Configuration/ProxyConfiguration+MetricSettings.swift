import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The `metric` section: metrics export.
    public struct MetricSettings: Sendable, Equatable {
        /// A metrics system named by `metric.type`.
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            /// Prometheus text exposition on the admin listener's `/metrics`.
            case prometheus
            /// Open-Falcon, the Go meta-proxy's other choice: accepted for compatibility, but only
            /// Prometheus is exported (``ProxyConfiguration/warnings`` says so).
            case falcon
        }

        /// `metric.type`: `prometheus` or `falcon`. Default `prometheus`.
        public var kind: Kind
        /// `metric.tags`: labels added to every metric, a list of `key=value` (as in the Go meta-proxy) or a
        /// mapping. Default: none.
        public var tags: [String: String]
        /// `metric.max_table_series`: how many tables get series of their own in each per-table metric
        /// (`client_query_config_count`, `zk_request_count`); later tables share `table="_other"`, and names
        /// without a route always share `table="_unknown"`. Default 10000.
        public var maxTableSeries: Int

        /// The settings with every default.
        public init() {
            kind = .prometheus
            tags = [:]
            maxTableSeries = ProxyMetrics.defaultMaxTableSeries
        }

        static let keys: Set<String> = ["type", "tags", "max_table_series"]

        /// Reads the section, keeping defaults for absent keys.
        init(document: DocumentValue) throws(DocumentError) {
            self.init()
            let section = try document.mapping(knownKeys: Self.keys)
            if let value = section["type"] {
                let names = Kind.allCases.map(\.rawValue)
                guard case .string(let text) = value.kind, let kind = Kind(rawValue: text.lowercased()) else {
                    throw value.mismatch(expected: names.joined(separator: " or "))
                }
                self.kind = kind
            }
            if let value = section["tags"] { tags = try Self.tags(value) }
            if let value = section["max_table_series"] {
                maxTableSeries = try value.integer(in: 0...Int(Int32.max), expectation: "a non-negative integer")
            }
        }

        private static func tags(_ value: DocumentValue) throws(DocumentError) -> [String: String] {
            var tags: [String: String] = [:]
            func add(_ key: String, _ tagValue: String, at item: DocumentValue) throws(DocumentError) {
                guard !key.isEmpty else { throw item.mismatch(expected: "key=value") }
                guard tags.updateValue(tagValue, forKey: key) == nil else {
                    throw item.error("duplicate tag \(key.diagnosticQuoted)")
                }
            }
            if case .mapping = value.kind {
                for entry in try value.mapping().entries {
                    guard case .string(let tagValue) = entry.value.kind else {
                        throw entry.value.mismatch(expected: "a string")
                    }
                    try add(entry.key, tagValue, at: entry.value)
                }
                return tags
            }
            for item in try value.stringList() {
                let pair = try item.string().split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2, let key = pair.first, let tagValue = pair.last else {
                    throw item.mismatch(expected: "key=value")
                }
                try add(String(key), String(tagValue), at: item)
            }
            return tags
        }
    }
}
