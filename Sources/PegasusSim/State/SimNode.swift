import NIOCore
import PegasusWire

/// Names one node of a simulated cluster.
struct SimNodeID: Hashable, Sendable, CustomStringConvertible {
    /// MetaServer or ReplicaServer.
    enum Role: String, Hashable, Sendable {
        /// A MetaServer.
        case meta
        /// A ReplicaServer.
        case replica
    }

    /// Which kind of node.
    var role: Role
    /// Its index among its kind.
    var index: Int

    /// `meta[0]`, `replica[2]`.
    var description: String { "\(role.rawValue)[\(index)]" }
}

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

/// What one simulated node has received, reset by `resetStats`.
struct SimNodeCounters: Sendable {
    /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` requests received.
    var queryConfig = 0
    /// THFT requests received (any name).
    var requests = 0
    /// HTTP requests received.
    var http = 0
    /// Requests received per name: THFT requests by RPC name (`RPC_CM_LIST_APPS`), HTTP requests by
    /// path (`/meta/cluster`).
    var byName: [String: Int] = [:]

    /// Counts one request: HTTP, or THFT (and query config among those), under `name` when given.
    mutating func count(http: Bool, queryConfig: Bool, name: String? = nil) {
        if http {
            self.http += 1
        } else {
            requests += 1
        }
        if queryConfig {
            self.queryConfig += 1
        }
        if let name {
            byName[name, default: 0] += 1
        }
    }
}
