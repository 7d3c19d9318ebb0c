/// Metadata keys of the simulator's log lines.
enum SimLoggingKeys {
    /// The simulated cluster's name.
    static let cluster = "sim.cluster"
    /// A node: `meta[0]`, `replica[2]`, `control`.
    static let node = "sim.node"
    /// A listening or peer address.
    static let address = "sim.address"
    /// The remote end of a connection.
    static let peer = "peer.address"
    /// An RPC name.
    static let rpcName = "rpc.name"
    /// An RPC seqid.
    static let seqid = "rpc.seqid"
    /// An HTTP path.
    static let httpPath = "http.path"
    /// The first bytes of a connection, in hex.
    static let header = "sim.header"
    /// An error.
    static let error = "error"
}
