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
