import PegasusWire

/// Everything that describes one simulated Pegasus cluster.
public struct SimClusterConfiguration: Hashable, Sendable {
    /// The cluster name (`cluster_name` in `RPC_CM_CLUSTER_INFO`).
    public var name: String
    /// Number of MetaServers. Default 3.
    public var metaCount: Int
    /// Number of ReplicaServers. Default 3.
    public var replicaCount: Int
    /// The tables, in app-id order when their ids are derived.
    public var tables: [SimTable]
    /// Table `i` (0-based) without a fixed app id gets `appIdBase + i`. Default 1.
    public var appIdBase: Int32
    /// The MetaServer that leads at start; `nil` = no leader. Default 0.
    public var leaderIndex: Int?
    /// Fields of query-config replies. Default `.v25`.
    public var replyShape: SimReplyShape
    /// Fields of duplication query replies. Default `.master`.
    public var duplicationShape: SimDuplicationShape
    /// The IPv4 loopback address to listen on. Default `127.0.0.1`.
    public var host: String
    /// `nil`: every listener on an ephemeral port. Otherwise MetaServer `i` listens on
    /// `basePort + i` and ReplicaServer `j` on `basePort + metaCount + j`.
    public var basePort: Int?
    /// The `Version` the HTTP `/version` endpoint reports. Default `2.5.0-sim`.
    public var version: String

    /// Creates a configuration; every parameter but the name has the documented default.
    public init(
        name: String,
        metaCount: Int = 3,
        replicaCount: Int = 3,
        tables: [SimTable] = [],
        appIdBase: Int32 = 1,
        leaderIndex: Int? = 0,
        replyShape: SimReplyShape = .v25,
        duplicationShape: SimDuplicationShape = .master,
        host: String = "127.0.0.1",
        basePort: Int? = nil,
        version: String = "2.5.0-sim"
    ) {
        self.name = name
        self.metaCount = metaCount
        self.replicaCount = replicaCount
        self.tables = tables
        self.appIdBase = appIdBase
        self.leaderIndex = leaderIndex
        self.replyShape = replyShape
        self.duplicationShape = duplicationShape
        self.host = host
        self.basePort = basePort
        self.version = version
    }

    /// Checks that the configuration describes a cluster.
    /// - Throws: `SimError.Code.invalidConfiguration` naming the offending key.
    public func validate() throws(SimError) {
        func fail(_ key: String, _ detail: String) -> SimError {
            SimError(.invalidConfiguration, subject: key, detail: detail)
        }
        guard metaCount >= 1 else { throw fail("metaCount", "must be at least 1, is \(metaCount)") }
        guard replicaCount >= 1 else { throw fail("replicaCount", "must be at least 1, is \(replicaCount)") }
        if let leaderIndex, !(0..<metaCount).contains(leaderIndex) {
            throw fail("leaderIndex", "\(leaderIndex) is not a MetaServer index (0..<\(metaCount))")
        }
        guard let listener = try? Endpoint(host: host, port: 1), !listener.rpcAddress.isInvalid else {
            throw fail("host", "\"\(host)\" is not an IPv4 address")
        }
        if let basePort, basePort < 1 || basePort + metaCount + replicaCount - 1 > 65535 {
            throw fail("basePort", "\(basePort) leaves no room for \(metaCount + replicaCount) ports")
        }
        var names = Set<String>()
        var ids = Set<Int32>()
        for (index, table) in resolvedTables.enumerated() {
            guard !table.name.isEmpty else { throw fail("tables[\(index)].name", "is empty") }
            guard table.partitionCount >= 1 else {
                throw fail("tables[\(index)].partitionCount", "must be at least 1, is \(table.partitionCount)")
            }
            guard table.appId > 0 else { throw fail("tables[\(index)].appId", "must be positive, is \(table.appId)") }
            guard names.insert(table.name).inserted else {
                throw fail("tables[\(index)].name", "\"\(table.name)\" repeats")
            }
            guard ids.insert(table.appId).inserted else {
                throw fail("tables[\(index)].appId", "\(table.appId) repeats")
            }
        }
    }

    /// The tables with their app ids resolved.
    var resolvedTables: [(name: String, appId: Int32, partitionCount: Int)] {
        tables.enumerated().map { index, table in
            (table.name, table.appId ?? appIdBase &+ Int32(truncatingIfNeeded: index), table.partitionCount)
        }
    }
}

/// Which `partition_configuration` fields the simulated MetaServers write in query-config replies
/// (docs/pegasus-reference.md §5.3).
public enum SimReplyShape: String, Hashable, Sendable, CaseIterable {
    /// Fields 1-7 only: what pypegasus3's generated classes produce.
    case plain
    /// Fields 1-8 (`partition_flags` = 0): a v2.5.0 MetaServer. pypegasus3 decodes it.
    case v25
    /// Fields 1-8 plus `hp_primary`, `hp_secondaries`, `hp_last_drops`: current master.
    /// pypegasus3 can NOT decode it.
    case master
}

/// Which `duplication_entry` fields the simulated MetaServers write in duplication query replies
/// (docs/pegasus-reference.md §12.2, §12.5).
public enum SimDuplicationShape: String, Hashable, Sendable, CaseIterable {
    /// Current master: fields 1-4, 7 `fail_mode`, 8 `remote_app_name`, 9 `remote_replica_count`,
    /// 11 `partition_states`.
    case master
    /// v2.4.0/v2.5.0: fields 1-4 and 7 only, no per-partition progress.
    case v25
}
