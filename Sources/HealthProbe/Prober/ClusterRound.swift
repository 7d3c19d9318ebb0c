/// Everything one probe round learned about a cluster; the input of ``ClusterHealthRules``.
public struct ClusterRound: Sendable, Hashable {
    /// One result per configured MetaServer (`GET /version`).
    public var metas: [MetaProbeResult]
    /// Leader discovery over HTTP (`GET /meta/cluster`).
    public var leader: LeaderObservation
    /// The RPC probe's outcome; `nil` when no RPC probe is configured for the cluster.
    public var rpc: RPCProbeOutcome?
    /// The leader's table list (`RPC_CM_LIST_APPS`); `nil` when the RPC probe does not list tables.
    public var apps: AppListOutcome?

    /// Creates a round.
    /// - Parameters:
    ///   - metas: The per-meta results.
    ///   - leader: The leader discovery result.
    ///   - rpc: The RPC probe outcome, if one ran.
    ///   - apps: The table list, if one was read.
    public init(
        metas: [MetaProbeResult],
        leader: LeaderObservation,
        rpc: RPCProbeOutcome? = nil,
        apps: AppListOutcome? = nil
    ) {
        self.metas = metas
        self.leader = leader
        self.rpc = rpc
        self.apps = apps
    }
}

/// One MetaServer's `GET /version` result in a round.
public struct MetaProbeResult: Sendable, Hashable {
    /// The MetaServer `host:port`.
    public var meta: String
    /// The time the request took (until success or failure).
    public var latency: Duration
    /// The version reported; `nil` on failure.
    public var version: MetaVersion?
    /// The failure; `nil` on success.
    public var error: ProbeError?

    /// Creates a result.
    /// - Parameters:
    ///   - meta: The MetaServer.
    ///   - latency: The request time.
    ///   - version: The version on success.
    ///   - error: The failure.
    public init(meta: String, latency: Duration, version: MetaVersion? = nil, error: ProbeError? = nil) {
        self.meta = meta
        self.latency = latency
        self.version = version
        self.error = error
    }

    /// Whether the MetaServer answered `/version` within the timeout.
    public var succeeded: Bool { self.error == nil }
}

/// Leader discovery over HTTP in a round.
public struct LeaderObservation: Sendable, Hashable {
    /// The leader as reported (`primary_meta_server`, or a 307 `Location`); `nil` when unknown.
    public var leader: String?
    /// The MetaServer address whose `/meta/cluster` answered 200 (the leader itself, reached); `nil` when none did.
    public var answeredBy: String?
    /// The last failure seen while looking for the leader.
    public var lastError: String?

    /// Creates an observation.
    /// - Parameters:
    ///   - leader: The reported leader.
    ///   - answeredBy: The address that answered as leader.
    ///   - lastError: The last failure.
    public init(leader: String? = nil, answeredBy: String? = nil, lastError: String? = nil) {
        self.leader = leader
        self.answeredBy = answeredBy
        self.lastError = lastError
    }

    /// Whether the leader itself answered.
    public var answered: Bool { self.answeredBy != nil }
}
