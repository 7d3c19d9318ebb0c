import PegasusWire

/// The leader's `GET /meta/cluster` body. Every value is a JSON string; unknown keys are ignored.
public struct MetaClusterInfo: Sendable, Hashable {
    /// `meta_servers`, split on commas.
    public var metaServers: [String]
    /// `primary_meta_server`: the leader, when it parses as `host:port`.
    public var primaryMetaServer: String?
    /// `zookeeper_hosts`.
    public var zookeeperHosts: String?
    /// `zookeeper_root`.
    public var zookeeperRoot: String?
    /// `meta_function_level`: `stopped`, `blind`, `freezed`, `steady` or `lively`.
    public var metaFunctionLevel: String?

    /// Creates cluster info.
    /// - Parameters:
    ///   - metaServers: The configured MetaServers.
    ///   - primaryMetaServer: The leader.
    ///   - zookeeperHosts: The ZooKeeper connect string.
    ///   - zookeeperRoot: The cluster's ZooKeeper root.
    ///   - metaFunctionLevel: The meta function level name.
    public init(
        metaServers: [String] = [],
        primaryMetaServer: String? = nil,
        zookeeperHosts: String? = nil,
        zookeeperRoot: String? = nil,
        metaFunctionLevel: String? = nil
    ) {
        self.metaServers = metaServers
        self.primaryMetaServer = primaryMetaServer
        self.zookeeperHosts = zookeeperHosts
        self.zookeeperRoot = zookeeperRoot
        self.metaFunctionLevel = metaFunctionLevel
    }

    /// Builds the info from the decoded string map of the HTTP body.
    init(fields: [String: String]) {
        self.metaServers = (fields["meta_servers"] ?? "").split(separator: ",").map { String($0) }
        self.primaryMetaServer = fields["primary_meta_server"].flatMap { Endpoint(validating: $0)?.description }
        self.zookeeperHosts = fields["zookeeper_hosts"]
        self.zookeeperRoot = fields["zookeeper_root"]
        self.metaFunctionLevel = fields["meta_function_level"]
    }
}
