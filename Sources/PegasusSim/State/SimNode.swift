import NIOCore
import PegasusWire

/// Runtime state of one simulated MetaServer or ReplicaServer (its request counters are kept
/// apart, in ``SimNodeCounters``).
struct SimNodeState: Sendable {
    /// Where it listens, once bound.
    var address: Endpoint?
    /// The address other nodes and replies name it by, when set (e.g. a relay in front of it).
    var advertised: Endpoint?
    /// Its address as the cluster names it: ``advertised`` if set, else where it listens.
    var announced: Endpoint? { advertised ?? address }
    /// Whether its listener is open; a dead node refuses connections.
    var alive = true
    /// Whether it reads requests but never answers.
    var hung = false
    /// Added before every RPC and HTTP reply.
    var latency: TimeAmount = .zero
}
