import HealthProbe

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What one meta-proxy instance publishes about itself in its ephemeral node
/// ``FailoverPaths/instance(_:)`` (`<root>/.meta-proxy/instances/<instance-id>`): who it is, what its
/// prober sees of every probed cluster, and where it routes every table it tracks with backups.
///
/// Other instances read these records to count observers (observer quorum), to find the latest time
/// any observer saw a cluster alive (lease-aware timing), to check that every live instance routes a
/// table to a cluster (planned switchover), and for the fleet view.
///
/// Schema (keys sorted, snake_case, slashes unescaped, dates RFC 3339 UTC with milliseconds):
/// ```json
/// {
///   "admin": "127.0.0.1:9100",             // admin listen address, or null when none
///   "clusters": {
///     "pegasus-a": {"last_alive_ms_ago": 120, "state": "up", "state_for_ms": 60000}
///   },
///   "decider": false,                       // this instance is the elected decider
///   "host": "proxy-host-1",
///   "instance": "proxy-1",                  // the instance id (also the node name)
///   "listen": "0.0.0.0:34601",              // client listen address
///   "pid": 4242,
///   "route_source": "zookeeper",            // zookeeper | file
///   "routes": {"orders": {"cluster": "pegasus-a", "version": 3}},
///   "started_at": "2026-01-02T03:04:05.678Z",
///   "version": "unknown",
///   "written_at": "2026-01-02T03:05:00.123Z" // writer's wall clock, informational only
/// }
/// ```
/// Times inside `clusters` are **relative to the write** (milliseconds before it), so a reader on
/// another host combines them with ZooKeeper's own modification time of the node instead of trusting
/// the writer's wall clock (see docs/failover.md, "Observer quorum"). `last_alive_ms_ago` is `null`
/// when no MetaServer of that cluster has answered any probe since the instance started. A route's
/// `version` is the ZooKeeper version of the effective-route node the instance applied, `-1` when
/// that node does not exist (the table is on its declared primary by default).
///
/// Decoding ignores unknown keys; `admin` and `last_alive_ms_ago` may be absent (= null).
public struct InstanceRecord: Codable, Hashable, Sendable {
    /// Where the instance's routes come from.
    public enum RouteSource: String, Codable, Hashable, Sendable {
        /// Table nodes in ZooKeeper.
        case zookeeper
        /// A local routes file.
        case file
    }

    /// The prober's verdict about one cluster, as published.
    public struct ClusterView: Codable, Hashable, Sendable {
        /// The verdict.
        public enum State: String, Codable, Hashable, Sendable {
            /// Up after the prober's rise counting.
            case up
            /// Down after the prober's fall counting.
            case down
            /// Not probed enough yet.
            case unknown
        }

        /// The verdict.
        public var state: State
        /// How long the cluster has been in ``state``, in milliseconds before the write.
        public var stateForMs: Int
        /// How long before the write any of the cluster's MetaServers last answered any probe, in
        /// milliseconds; `nil` when none ever did.
        public var lastAliveMsAgo: Int?

        enum CodingKeys: String, CodingKey {
            case state
            case stateForMs = "state_for_ms"
            case lastAliveMsAgo = "last_alive_ms_ago"
        }

        /// Creates a cluster view.
        public init(state: State, stateForMs: Int, lastAliveMsAgo: Int?) {
            self.state = state
            self.stateForMs = stateForMs
            self.lastAliveMsAgo = lastAliveMsAgo
        }

        /// Decodes; `last_alive_ms_ago` may be absent.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            state = try container.decode(State.self, forKey: .state)
            stateForMs = try container.decode(Int.self, forKey: .stateForMs)
            lastAliveMsAgo = try container.decodeIfPresent(Int.self, forKey: .lastAliveMsAgo)
        }

        /// Encodes; a missing `last_alive_ms_ago` is written as `null`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(state, forKey: .state)
            try container.encode(stateForMs, forKey: .stateForMs)
            try container.encode(lastAliveMsAgo, forKey: .lastAliveMsAgo)
        }
    }

    /// Where the instance routes one table now.
    public struct RouteView: Codable, Hashable, Sendable {
        /// The effective cluster.
        public var cluster: String
        /// The effective-route node version applied; `-1` when the node is absent.
        public var version: Int

        /// Creates a route view.
        public init(cluster: String, version: Int) {
            self.cluster = cluster
            self.version = version
        }
    }

    /// The version string published until builds carry one.
    public static let unknownVersion = "unknown"

    /// The instance id (also the node's name).
    public var instance: String
    /// The host name.
    public var host: String
    /// The process id.
    public var pid: Int
    /// The admin listen address, `nil` when the admin listener is off.
    public var admin: String?
    /// The client listen address.
    public var listen: String
    /// The meta-proxy version, ``unknownVersion`` for now.
    public var version: String
    /// When the process started (writer's wall clock).
    public var startedAt: Date
    /// Where the routes come from.
    public var routeSource: RouteSource
    /// Whether this instance is the elected decider.
    public var decider: Bool
    /// When the record was written (writer's wall clock; informational, never used for ages).
    public var writtenAt: Date
    /// The prober's verdict per probed cluster.
    public var clusters: [String: ClusterView]
    /// The effective route per tracked table (tables with backups).
    public var routes: [String: RouteView]

    enum CodingKeys: String, CodingKey {
        case instance, host, pid, admin, listen, version, decider, clusters, routes
        case startedAt = "started_at"
        case routeSource = "route_source"
        case writtenAt = "written_at"
    }

    /// Creates a record.
    public init(
        instance: String,
        host: String,
        pid: Int,
        admin: String?,
        listen: String,
        version: String = InstanceRecord.unknownVersion,
        startedAt: Date,
        routeSource: RouteSource,
        decider: Bool,
        writtenAt: Date,
        clusters: [String: ClusterView] = [:],
        routes: [String: RouteView] = [:]
    ) {
        self.instance = instance
        self.host = host
        self.pid = pid
        self.admin = admin
        self.listen = listen
        self.version = version
        self.startedAt = startedAt
        self.routeSource = routeSource
        self.decider = decider
        self.writtenAt = writtenAt
        self.clusters = clusters
        self.routes = routes
    }

    /// Decodes; `admin` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        instance = try container.decode(String.self, forKey: .instance)
        host = try container.decode(String.self, forKey: .host)
        pid = try container.decode(Int.self, forKey: .pid)
        admin = try container.decodeIfPresent(String.self, forKey: .admin)
        listen = try container.decode(String.self, forKey: .listen)
        version = try container.decode(String.self, forKey: .version)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        routeSource = try container.decode(RouteSource.self, forKey: .routeSource)
        decider = try container.decode(Bool.self, forKey: .decider)
        writtenAt = try container.decode(Date.self, forKey: .writtenAt)
        clusters = try container.decode([String: ClusterView].self, forKey: .clusters)
        routes = try container.decode([String: RouteView].self, forKey: .routes)
    }

    /// Encodes; a missing `admin` is written as `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(instance, forKey: .instance)
        try container.encode(host, forKey: .host)
        try container.encode(pid, forKey: .pid)
        try container.encode(admin, forKey: .admin)
        try container.encode(listen, forKey: .listen)
        try container.encode(version, forKey: .version)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(routeSource, forKey: .routeSource)
        try container.encode(decider, forKey: .decider)
        try container.encode(writtenAt, forKey: .writtenAt)
        try container.encode(clusters, forKey: .clusters)
        try container.encode(routes, forKey: .routes)
    }

    /// The node's bytes: sorted keys, unescaped slashes, RFC 3339 UTC dates with milliseconds.
    /// - Throws: ``InstanceRecordError`` naming the instance.
    public func jsonBytes() throws(InstanceRecordError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Milliseconds.format(date))
        }
        do {
            return Array(try encoder.encode(self))
        } catch {
            throw InstanceRecordError(subject: instance, detail: "encoding: \(error)")
        }
    }

    /// Decodes a node's bytes.
    /// - Parameters:
    ///   - bytes: The node's data.
    ///   - path: The node path, for the error.
    /// - Throws: ``InstanceRecordError`` naming the path.
    public static func decode(_ bytes: [UInt8], path: String) throws(InstanceRecordError) -> InstanceRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Milliseconds.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date: \(text)")
            }
            return date
        }
        do {
            return try decoder.decode(InstanceRecord.self, from: Data(bytes))
        } catch {
            throw InstanceRecordError(subject: path, detail: "decoding: \(error)")
        }
    }
}

/// An instance record could not be encoded or decoded.
public struct InstanceRecordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The instance id or node path.
    public var subject: String
    /// What failed.
    public var detail: String

    /// Creates an error.
    public init(subject: String, detail: String) {
        self.subject = subject
        self.detail = detail
    }

    /// `instance record <subject>: <detail>`.
    public var description: String { "instance record \(subject): \(detail)" }
}
