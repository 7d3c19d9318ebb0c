import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The `meta` section: how queries are relayed to MetaServers.
    public struct MetaSettings: Sendable, Equatable {
        /// `meta.timeout` (milliseconds in the file): the deadline of one attempt at one MetaServer.
        /// Default 3000 ms.
        public var timeout: Duration
        /// `meta.max_forward_hops`: how many `ERR_FORWARD_TO_OTHERS` redirects one query follows (0-16).
        /// Default 3.
        public var maxForwardHops: Int
        /// `meta.coalesce`: whether identical concurrent queries share one upstream query. Default `true`.
        public var coalesce: Bool
        /// `meta.coalesce_window` (milliseconds in the file, 0-10000): how long a successful upstream
        /// query-config reply also answers identical client queries arriving after it, per event loop.
        /// Default 100 ms; 0 (or `coalesce: false`) disables it.
        public var coalesceWindow: Duration

        /// The settings with every default.
        public init() {
            timeout = .milliseconds(3000)
            maxForwardHops = 3
            coalesce = true
            coalesceWindow = .milliseconds(100)
        }

        static let keys: Set<String> = ["timeout", "max_forward_hops", "coalesce", "coalesce_window"]

        /// Reads the section, keeping defaults for absent keys.
        init(document: DocumentValue) throws(DocumentError) {
            self.init()
            let section = try document.mapping(knownKeys: Self.keys)
            if let value = section["timeout"] {
                let milliseconds = try value.integer(
                    in: 1...Int(Int32.max),
                    expectation: "a positive number of milliseconds"
                )
                timeout = .milliseconds(milliseconds)
            }
            if let value = section["max_forward_hops"] {
                maxForwardHops = try value.integer(in: 0...16, expectation: "an integer from 0 to 16")
            }
            if let value = section["coalesce"] { coalesce = try value.bool() }
            if let value = section["coalesce_window"] {
                let milliseconds = try value.integer(in: 0...10_000, expectation: "milliseconds from 0 to 10000")
                coalesceWindow = .milliseconds(milliseconds)
            }
        }
    }
}
