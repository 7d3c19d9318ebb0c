import PegasusWire

/// One Pegasus cluster a table can be served from: its name and its MetaServers.
public struct ClusterRoute: Hashable, Sendable {
    /// The cluster name, as written in the route source (e.g. `"c3srv-ad"`).
    public var name: String
    /// The cluster's MetaServers, in the order given by the route source; never empty when read from a
    /// route source.
    public var metas: [Endpoint]

    /// Creates a cluster route.
    public init(name: String, metas: [Endpoint]) {
        self.name = name
        self.metas = metas
    }
}
