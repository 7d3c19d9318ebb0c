import NIOCore

/// Runtime state of one simulated MetaServer or ReplicaServer.
struct SimNodeState: Sendable {
    /// Request counters, reset by `resetStats`.
    struct Counters: Sendable {
        /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` requests received.
        var queryConfig = 0
        /// THFT requests received (any name).
        var requests = 0
        /// HTTP requests received.
        var http = 0
    }

    /// Where it listens, once bound.
    var address: SimAddress?
    /// The address other nodes and replies name it by, when set (e.g. a relay in front of it).
    var advertised: SimAddress?
    /// Its address as the cluster names it: ``advertised`` if set, else where it listens.
    var announced: SimAddress? { advertised ?? address }
    /// Whether its listener is open; a dead node refuses connections.
    var alive = true
    /// Whether it reads requests but never answers.
    var hung = false
    /// Added before every RPC and HTTP reply.
    var latency: TimeAmount = .zero
    /// What it has received.
    var counters = Counters()
}
