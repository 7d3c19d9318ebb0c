/// One cluster for ``HealthProber`` to watch.
public struct ProbeTarget: Sendable, Hashable {
    /// The cluster name (unique among targets; the key of every result).
    public var cluster: String
    /// The cluster's MetaServers, `host:port`.
    public var metas: [String]
    /// Probe timing and thresholds.
    public var settings: Settings
    /// The table the injected ``RPCHealthProbe`` queries each round; `nil` for HTTP-only probing.
    public var rpcTable: String?
    /// Tables whose duplication is tracked while this cluster is healthy: table → backup cluster names.
    public var protectedTables: [String: [String]]

    /// Creates a target.
    /// - Parameters:
    ///   - cluster: The cluster name.
    ///   - metas: The MetaServers.
    ///   - settings: Probe timing and thresholds.
    ///   - rpcTable: The table for the RPC probe.
    ///   - protectedTables: Table → backup cluster names.
    public init(
        cluster: String,
        metas: [String],
        settings: Settings = Settings(),
        rpcTable: String? = nil,
        protectedTables: [String: [String]] = [:]
    ) {
        self.cluster = cluster
        self.metas = metas
        self.settings = settings
        self.rpcTable = rpcTable
        self.protectedTables = protectedTables
    }

    /// Probe timing and rise/fall thresholds of a ``ProbeTarget``: what the prober runs with.
    ///
    /// Deliberately not FailoverPolicy's `ProbeSettings` (a policy file's `probe:` section): that one is
    /// what an operator wrote, validated, with the policy file's defaults (`rise: 3`); this one is the
    /// prober's input, with its own defaults (`rise: 2`, for targets built without a policy) and the
    /// ``duplicationInterval`` no policy file sets. The router converts one into the other
    /// (`ProbeTargetPlanner`), so neither module depends on the other.
    public struct Settings: Sendable, Hashable {
        /// Time between the starts of two rounds (a round longer than this delays the next). Default 2 s.
        public var interval: Duration
        /// The timeout of each request. Default 1 s.
        public var timeout: Duration
        /// Consecutive failed rounds before a cluster (or MetaServer) is down. Default 3.
        public var fall: Int
        /// Consecutive healthy rounds before a cluster (or MetaServer) is up. Default 2.
        public var rise: Int
        /// Time between two duplication observations of each protected table; `nil` uses ``interval``.
        public var duplicationInterval: Duration?

        /// Creates settings.
        /// - Parameters:
        ///   - interval: Time between round starts.
        ///   - timeout: The timeout of each request.
        ///   - fall: Failed rounds to go down.
        ///   - rise: Healthy rounds to go up.
        ///   - duplicationInterval: Time between duplication observations; `nil` uses `interval`.
        public init(
            interval: Duration = .seconds(2),
            timeout: Duration = .seconds(1),
            fall: Int = 3,
            rise: Int = 2,
            duplicationInterval: Duration? = nil
        ) {
            self.interval = interval
            self.timeout = timeout
            self.fall = fall
            self.rise = rise
            self.duplicationInterval = duplicationInterval
        }
    }
}
