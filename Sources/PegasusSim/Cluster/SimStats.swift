/// A snapshot of every node's state and request counters.
public struct SimStats: Hashable, Sendable {
    /// One node.
    public struct Node: Hashable, Sendable {
        /// `host:port` (empty before start).
        public var address: String
        /// Whether its listener is open.
        public var alive: Bool
        /// Whether it is the elected leader (MetaServers only).
        public var leader: Bool
        /// Whether it reads requests but never answers.
        public var hung: Bool
        /// Latency added before each reply, in milliseconds.
        public var latencyMilliseconds: Int64
        /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` requests received.
        public var queryConfig: Int
        /// THFT requests received.
        public var requests: Int
        /// HTTP requests received.
        public var http: Int
        /// Requests received per name: THFT by RPC name, HTTP by path (query left out).
        public var byName: [String: Int] = [:]
    }

    /// MetaServers, by index.
    public var metas: [Node]
    /// ReplicaServers, by index.
    public var replicas: [Node]

    /// `{"metas":[{"address":…,"alive":true,"leader":true,…,"by_name":{"RPC_CM_LIST_APPS":3,…}}],"replicas":[…]}`.
    var json: SimJSON {
        func node(_ node: Node) -> SimJSON {
            .object([
                ("address", .string(node.address)),
                ("alive", .bool(node.alive)),
                ("leader", .bool(node.leader)),
                ("hung", .bool(node.hung)),
                ("latency_ms", .integer(node.latencyMilliseconds)),
                ("query_config", .integer(Int64(node.queryConfig))),
                ("requests", .integer(Int64(node.requests))),
                ("http", .integer(Int64(node.http))),
                ("by_name", .object(node.byName.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) })),
            ])
        }
        return .object([("metas", .array(metas.map(node))), ("replicas", .array(replicas.map(node)))])
    }
}
