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
        /// `meta.max_queued_bytes` (64 KiB - 1 GiB): the most request bytes one MetaServer connection
        /// holds unwritten (the MetaServer stopped reading) before new requests to it fail at once
        /// (the query tries the next MetaServer). Default 8 MiB.
        public var maxQueuedBytes: Int
        /// `meta.max_consecutive_timeouts` (1-100): attempt timeouts in a row, with nothing received,
        /// after which a MetaServer connection is closed and reopened by the next query. Default 2.
        public var maxConsecutiveTimeouts: Int
        /// `meta.keepalive_idle` (seconds in the file, 0-7200): idle time before TCP keepalive probes
        /// on MetaServer connections; 0 turns keepalive off. Default 30 s.
        public var keepaliveIdle: Duration
        /// `meta.keepalive_interval` (seconds in the file, 1-3600): time between keepalive probes. Default 10 s.
        public var keepaliveInterval: Duration
        /// `meta.keepalive_count` (1-100): unanswered probes after which the connection is dropped. Default 3.
        public var keepaliveCount: Int

        /// The settings with every default.
        public init() {
            timeout = .milliseconds(3000)
            maxForwardHops = 3
            coalesce = true
            coalesceWindow = .milliseconds(100)
            maxQueuedBytes = 8 << 20
            maxConsecutiveTimeouts = 2
            keepaliveIdle = .seconds(30)
            keepaliveInterval = .seconds(10)
            keepaliveCount = 3
        }

        static let keys: Set<String> = [
            "timeout", "max_forward_hops", "coalesce", "coalesce_window", "max_queued_bytes",
            "max_consecutive_timeouts", "keepalive_idle", "keepalive_interval", "keepalive_count",
        ]

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
            if let value = section["max_queued_bytes"] {
                maxQueuedBytes = try value.integer(in: (64 << 10)...(1 << 30), expectation: "bytes from 65536 to 1073741824")
            }
            if let value = section["max_consecutive_timeouts"] {
                maxConsecutiveTimeouts = try value.integer(in: 1...100, expectation: "an integer from 1 to 100")
            }
            if let value = section["keepalive_idle"] {
                keepaliveIdle = .seconds(try value.integer(in: 0...7200, expectation: "seconds from 0 to 7200"))
            }
            if let value = section["keepalive_interval"] {
                keepaliveInterval = .seconds(try value.integer(in: 1...3600, expectation: "seconds from 1 to 3600"))
            }
            if let value = section["keepalive_count"] {
                keepaliveCount = try value.integer(in: 1...100, expectation: "an integer from 1 to 100")
            }
        }
    }
}
