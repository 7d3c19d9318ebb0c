import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The `server` section: listeners and connection limits.
    public struct ServerSettings: Sendable, Equatable {
        /// `server.listen`: where clients connect. Default `0.0.0.0:34601`; port 0 picks a free port.
        public var listen: Endpoint
        /// `server.admin_listen`: the admin HTTP listener. Default `127.0.0.1:34602`; port 0 picks a free port.
        public var adminListen: Endpoint
        /// `server.max_connections`: client connections open at once. Default 10000.
        public var maxConnections: Int
        /// `server.max_frame_bytes`: the largest request frame accepted. Default 1048576 (1 MiB).
        public var maxFrameBytes: Int
        /// `server.idle_timeout` (seconds in the file): a client connection idle this long is closed; zero
        /// means never. Default 600 s.
        public var idleTimeout: Duration
        /// `server.threads`: event-loop threads; `nil` (the default, or 0 in the file) means one per CPU
        /// the process may run on (its affinity mask, e.g. under `taskset` or systemd `CPUAffinity=`).
        public var threads: Int?
        /// `server.max_unwritten_reply_bytes`: reply bytes one connection's client has not taken yet
        /// beyond which the proxy stops reading that connection (it reads again once they drain to
        /// an eighth of that). Default 4194304 (4 MiB).
        public var maxUnwrittenReplyBytes: Int = 4 << 20
        /// `server.max_buffered_request_bytes`: request bytes read and not yet served (incomplete
        /// frames, requests waiting for a slot), all connections together; a connection that would
        /// hold more is closed. Default 67108864 (64 MiB).
        public var maxBufferedRequestBytes: Int = 64 << 20
        /// `server.frame_timeout` (seconds in the file): a request frame whose first byte arrived must be
        /// complete within this, or the connection is closed. Default 10 s.
        public var frameTimeout: Duration = .seconds(10)
        /// `server.drain_delay` (seconds in the file): at SIGTERM or SIGINT, how long `/readyz` answers
        /// 503 while the proxy still accepts and serves, before it closes its listeners and drains. Set
        /// it to what a load balancer needs to mark the instance down (check interval × fall). Default 0.
        public var drainDelay: Duration = .zero
        /// `server.admin_max_connections`: admin connections open at once; more are refused (counted).
        /// Default 64.
        public var adminMaxConnections: Int
        /// `server.admin_header_timeout` (seconds in the file): an admin request head not complete this
        /// long after it began closes the connection. Default 10 s.
        public var adminHeaderTimeout: Duration
        /// `server.admin_idle_timeout` (seconds in the file): a keep-alive admin connection with no
        /// request this long is closed. Default 60 s.
        public var adminIdleTimeout: Duration
        /// `server.admin_max_head_bytes`: the largest admin request head (request line and headers);
        /// larger is answered 431 and closed. Default 16384.
        public var adminMaxHeadBytes: Int

        /// The number of event-loop threads to run: ``threads``, or one per CPU this process may use.
        public var effectiveThreads: Int { threads ?? CPUAffinity.usableCores() }

        /// The settings with every default.
        public init() {
            listen = Endpoint(literalHost: "0.0.0.0", port: 34601)
            adminListen = Endpoint(literalHost: "127.0.0.1", port: 34602)
            maxConnections = 10000
            maxFrameBytes = 1_048_576
            idleTimeout = .seconds(600)
            threads = nil
            adminMaxConnections = 64
            adminHeaderTimeout = .seconds(10)
            adminIdleTimeout = .seconds(60)
            adminMaxHeadBytes = 16384
        }

        static let keys: Set<String> = [
            "listen", "admin_listen", "max_connections", "max_frame_bytes", "idle_timeout", "threads",
            "max_unwritten_reply_bytes", "max_buffered_request_bytes", "frame_timeout", "drain_delay",
            "admin_max_connections", "admin_header_timeout", "admin_idle_timeout", "admin_max_head_bytes",
        ]

        /// Reads the section, keeping defaults for absent keys.
        init(document: DocumentValue) throws(DocumentError) {
            self.init()
            let section = try document.mapping(knownKeys: Self.keys)
            if let value = section["listen"] { listen = try value.hostPort(allowsPortZero: true) }
            if let value = section["admin_listen"] { adminListen = try value.hostPort(allowsPortZero: true) }
            if let value = section["max_connections"] {
                maxConnections = try value.integer(in: 1...Int(Int32.max), expectation: "a positive integer")
            }
            if let value = section["max_frame_bytes"] {
                maxFrameBytes = try value.integer(in: 1...Int(Int32.max), expectation: "a positive integer")
            }
            if let value = section["idle_timeout"] {
                let seconds = try value.integer(
                    in: 0...Int(Int32.max),
                    expectation: "a whole number of seconds (0 = never)"
                )
                idleTimeout = .seconds(seconds)
            }
            if let value = section["threads"] {
                let count = try value.integer(in: 0...1024, expectation: "a thread count from 1 to 1024 (0 = one per usable CPU)")
                threads = count == 0 ? nil : count
            }
            if let value = section["max_unwritten_reply_bytes"] {
                maxUnwrittenReplyBytes = try value.integer(in: 1024...Int(Int32.max), expectation: "a byte count of at least 1024")
            }
            if let value = section["max_buffered_request_bytes"] {
                maxBufferedRequestBytes = try value.integer(in: 1024...Int.max, expectation: "a byte count of at least 1024")
            }
            if let value = section["frame_timeout"] {
                let seconds = try value.integer(in: 1...86_400, expectation: "a whole number of seconds from 1 to 86400")
                frameTimeout = .seconds(seconds)
            }
            if let value = section["drain_delay"] {
                drainDelay = .seconds(try value.integer(in: 0...300, expectation: "a whole number of seconds from 0 to 300"))
            }
            if let value = section["admin_max_connections"] {
                adminMaxConnections = try value.integer(in: 1...65536, expectation: "a connection count from 1 to 65536")
            }
            if let value = section["admin_header_timeout"] {
                adminHeaderTimeout = .seconds(try value.integer(in: 1...3600, expectation: "a whole number of seconds from 1 to 3600"))
            }
            if let value = section["admin_idle_timeout"] {
                adminIdleTimeout = .seconds(try value.integer(in: 1...86400, expectation: "a whole number of seconds from 1 to 86400"))
            }
            if let value = section["admin_max_head_bytes"] {
                adminMaxHeadBytes = try value.integer(in: 1024...1_048_576, expectation: "a byte count from 1024 to 1048576")
            }
        }
    }
}
