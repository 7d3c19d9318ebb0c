import Foundation
import PegasusWire
import RouteModel
import Router
import ZooKeeper

extension ProxyConfiguration {
    /// The `zookeeper` section: where table routes are read from (unless `routes_file` is used).
    public struct ZooKeeperSettings: Sendable, Equatable {
        /// `zookeeper.address`: the ensemble's servers, a list or a comma-separated string of "host:port".
        /// Default: none (then `routes_file` must be set).
        public var addresses: [Endpoint]
        /// `zookeeper.root`: the node under which each table has a node `<root>/<table>`. Default `/pegasus`.
        public var root: String
        /// `zookeeper.timeout` (milliseconds in the file): the session timeout asked for (the server may
        /// negotiate it into its own bounds). Default 1000 ms.
        public var sessionTimeout: Duration
        /// `zookeeper.table_watcher_cache_capacity`: how many tables' routes are cached and watched. Default
        /// ``Router/ZooKeeperRouteStore/defaultCapacity`` (50,000).
        public var tableWatcherCacheCapacity: Int
        /// `zookeeper.auth` (`scheme:credential`, e.g. `digest:user:password`), or the content of the file
        /// `zookeeper.auth_file` (relative to the configuration file). Default: none. Never logged.
        public var auth: ZooKeeperCredentials?
        /// `zookeeper.failover_writers`: ZooKeeper ids (`digest:user:base64(sha1(user:password))`) that get
        /// every permission on the failover state nodes this instance or the CLI creates, besides the creator
        /// (see ``ZooKeeperNodeACLs``). Default: none. Ignored without ``auth``.
        public var failoverWriters: [ZooKeeperACL.Entry]
        /// `zookeeper.negative_cache_ttl` (milliseconds in the file): how long a table name without a route
        /// node is answered "unknown table" without reading ZooKeeper again; a node created meanwhile is
        /// routable after at most this long. Default 5000 ms.
        public var negativeCacheTTL: Duration
        /// `zookeeper.negative_cache_capacity`: how many names without a route node are remembered (apart
        /// from the route cache, so they cannot evict a route). Default 4096.
        public var negativeCacheCapacity: Int
        /// How long an operator command (`route ...`, `failover ...`) waits for a ZooKeeper session before
        /// failing with one line: the CLI's `--zk-timeout`, not a YAML key. Default 10 s.
        public var commandConnectTimeout: Duration

        /// The settings with every default.
        public init() {
            addresses = []
            root = "/pegasus"
            sessionTimeout = .milliseconds(1000)
            tableWatcherCacheCapacity = ZooKeeperRouteStore.defaultCapacity
            auth = nil
            failoverWriters = []
            negativeCacheTTL = .milliseconds(5000)
            negativeCacheCapacity = 4096
            commandConnectTimeout = .seconds(10)
        }

        /// The addresses as the ZooKeeper client's connect string: `host:port,host:port`.
        public var connectString: String {
            addresses.map(\.description).joined(separator: ",")
        }

        static let keys: Set<String> = [
            "address", "root", "timeout", "table_watcher_cache_capacity", "auth", "auth_file",
            "failover_writers", "negative_cache_ttl", "negative_cache_capacity",
        ]

        /// Reads the section, keeping defaults for absent keys.
        /// - Parameter baseDirectory: The configuration file's directory, for a relative `auth_file`.
        init(document: DocumentValue, baseDirectory: String) throws(DocumentError) {
            self.init()
            let section = try document.mapping(knownKeys: Self.keys)
            if let value = section["address"] {
                addresses = []
                for item in try value.stringList() {
                    addresses.append(try item.hostPort(allowsPortZero: false))
                }
            }
            if let value = section["root"] { root = try value.string() }
            if let value = section["timeout"] {
                let milliseconds = try value.integer(
                    in: 1...Int(Int32.max),
                    expectation: "a positive number of milliseconds"
                )
                sessionTimeout = .milliseconds(milliseconds)
            }
            if let value = section["table_watcher_cache_capacity"] {
                tableWatcherCacheCapacity = try value.integer(in: 1...Int(Int32.max), expectation: "a positive integer")
            }
            if let value = section["negative_cache_ttl"] {
                let milliseconds = try value.integer(in: 0...3_600_000, expectation: "milliseconds from 0 to 3600000")
                negativeCacheTTL = .milliseconds(milliseconds)
            }
            if let value = section["negative_cache_capacity"] {
                negativeCacheCapacity = try value.integer(in: 1...Int(Int32.max), expectation: "a positive integer")
            }
            auth = try Self.auth(section, baseDirectory: baseDirectory)
            if let value = section["failover_writers"] {
                failoverWriters = []
                for item in try value.stringList() {
                    guard case .string(let text) = item.kind, let entry = ZooKeeperNodeACLs.writer(parsing: text)
                    else {
                        throw item.error(
                            "expected a ZooKeeper id \"scheme:id\", e.g. \"digest:user:base64(sha1(user:password))\"")
                    }
                    failoverWriters.append(entry)
                }
            }
        }

        private static func auth(_ section: DocumentMapping, baseDirectory: String) throws(DocumentError)
            -> ZooKeeperCredentials?
        {
            let expectation = "\"scheme:credential\", e.g. \"digest:user:password\" (value not shown)"
            switch (section["auth"], section["auth_file"]) {
            case (nil, nil):
                return nil
            case (.some, .some):
                throw DocumentError(kind: .invalidValue, path: section.path, message: "set auth or auth_file, not both")
            case (.some(let value), nil):
                guard case .string(let text) = value.kind,
                    let auth = ZooKeeperCredentials(parsing: text, source: value.path)
                else {
                    throw value.error("expected \(expectation)")
                }
                return auth
            case (nil, .some(let value)):
                let path = ProxyConfiguration.resolve(try value.string(), relativeTo: baseDirectory)
                let contents: String
                do {
                    contents = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw value.error("cannot read \(path.diagnosticQuoted)")
                }
                let text = contents.trimmingCharacters(in: .whitespacesAndNewlines)
                let source = "\(value.path) \(path.diagnosticQuoted)"
                guard let auth = ZooKeeperCredentials(parsing: text, source: source) else {
                    throw value.error("\(path.diagnosticQuoted) does not hold \(expectation)")
                }
                return auth
            }
        }
    }
}
