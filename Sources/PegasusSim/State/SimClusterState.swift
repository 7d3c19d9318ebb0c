import NIOCore
import PegasusWire

/// Everything a simulated cluster knows, guarded by one lock in `SimClusterCore`. Every request and
/// control call is one mutating method here that decides an outcome; sockets are touched only by
/// the callers, after the lock is released.
struct SimClusterState: Sendable {
    /// The configuration the cluster was built from.
    let configuration: SimClusterConfiguration
    /// The leading MetaServer; `nil` = none elected.
    var leaderIndex: Int? { didSet { generation &+= 1 } }
    /// MetaServers.
    var metas: [SimNodeState] { didSet { generation &+= 1 } }
    /// ReplicaServers.
    var replicas: [SimNodeState] { didSet { generation &+= 1 } }
    /// Tables in configuration order.
    var tables: [SimTableState] {
        didSet {
            generation &+= 1
            // Tables are dropped, never renamed in place: the index changes only with the count.
            if tables.count != oldValue.count { indexByName = Self.index(tables) }
        }
    }
    /// The position of each table in `tables`, by name (a cluster may serve tens of thousands).
    private var indexByName: [String: Int] = [:]
    /// Bumped by every change of `leaderIndex`, `metas`, `replicas` or `tables`: everything a
    /// MetaServer's RPC replies are built from. ``replyCache`` keeps replies of one generation.
    private(set) var generation: UInt64 = 0
    /// Encoded query-config replies of the current generation.
    var replyCache = SimReplyCache()
    /// The MetaServers' request counters, by index (apart from `metas`: counting a request is not
    /// a change of state that invalidates cached replies).
    var metaCounters: [SimNodeCounters]
    /// The ReplicaServers' request counters, by index.
    var replicaCounters: [SimNodeCounters]
    /// The replicas' shared key-value store.
    var store: [SimStoreKey: SimStoredValue] = [:]
    /// When the cluster was built, in Unix seconds.
    let startSecond: Int64

    /// Builds the initial state; `configuration` must be valid.
    init(configuration: SimClusterConfiguration, now: Int64) {
        self.configuration = configuration
        self.startSecond = now
        self.leaderIndex = configuration.leaderIndex
        self.metas = Array(repeating: SimNodeState(), count: configuration.metaCount)
        self.replicas = Array(repeating: SimNodeState(), count: configuration.replicaCount)
        self.metaCounters = Array(repeating: SimNodeCounters(), count: configuration.metaCount)
        self.replicaCounters = Array(repeating: SimNodeCounters(), count: configuration.replicaCount)
        self.tables = configuration.resolvedTables.map { table in
            SimTableState(
                name: table.name,
                appId: table.appId,
                partitions: (0..<table.partitionCount).map {
                    SimPartitionState(partitionIndex: $0, replicaCount: configuration.replicaCount)
                },
                createSecond: now
            )
        }
        self.indexByName = Self.index(tables)
    }

    private static func index(_ tables: [SimTableState]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (position, table) in tables.enumerated() where index[table.name] == nil { index[table.name] = position }
        return index
    }

    // MARK: Lookups

    /// The leader as followers see it: the elected MetaServer while it is alive.
    var knownLeader: Int? {
        guard let leaderIndex, metas[leaderIndex].alive else {
            return nil
        }
        return leaderIndex
    }

    /// The index of the table named `name`.
    func tableIndex(named name: String) -> Int? {
        indexByName[name]
    }

    /// The index of the table with app id `appId`.
    func tableIndex(appId: Int32) -> Int? {
        tables.firstIndex { $0.appId == appId }
    }

    /// The MetaServers' addresses as the cluster names them, `host:port`, in index order.
    var metaAddressTexts: [String] {
        metas.map { $0.announced?.description ?? "" }
    }

    /// Replica `index`'s address (the invalid one before start).
    func replicaAddress(_ index: Int) -> Endpoint {
        replicas[index].address ?? Endpoint(literalHost: configuration.host, port: 0)
    }

    // MARK: Request bookkeeping shared by every node

    /// Counts one request on `node` and decides whether and when it is answered.
    /// `name` (the RPC name or HTTP path) is counted in ``SimNodeCounters/byName``.
    mutating func admit(_ node: SimNodeID, http: Bool, queryConfig: Bool = false, name: String? = nil) -> SimAdmission {
        guard self[node].alive else {
            return .refuse
        }
        switch node.role {
        case .meta: metaCounters[node.index].count(http: http, queryConfig: queryConfig, name: name)
        case .replica: replicaCounters[node.index].count(http: http, queryConfig: queryConfig, name: name)
        }
        return self[node].hung ? .ignore : .answer(after: self[node].latency)
    }

    /// The state of `node`.
    subscript(node: SimNodeID) -> SimNodeState {
        get {
            switch node.role {
            case .meta: metas[node.index]
            case .replica: replicas[node.index]
            }
        }
        set {
            switch node.role {
            case .meta: metas[node.index] = newValue
            case .replica: replicas[node.index] = newValue
            }
        }
    }
}

/// The key of a simulated replica's key-value store: the table and the raw key blob
/// (hash key length, hash key, sort key, as the client builds it).
struct SimStoreKey: Hashable, Sendable {
    /// App id of the table.
    var appId: Int32
    /// The raw key blob.
    var key: [UInt8]
}

/// A value in a simulated replica's key-value store.
struct SimStoredValue: Sendable {
    /// The value bytes.
    var value: [UInt8]
    /// Expiry in seconds since 2016-01-01 00:00:00 UTC (Pegasus epoch); 0 = never.
    var expireTimestamp: Int32
}
