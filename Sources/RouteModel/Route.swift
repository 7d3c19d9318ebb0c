import PegasusWire

/// Where one table lives: its primary cluster and its duplication backup clusters.
public struct Route: Sendable, Equatable {
    /// The Pegasus table name.
    public var table: String
    /// The cluster that serves the table normally.
    public var primary: ClusterRoute
    /// Backup clusters (duplication targets), in preference order; never holds the primary.
    public var backups: [ClusterRoute]

    /// Creates a route.
    public init(table: String, primary: ClusterRoute, backups: [ClusterRoute] = []) {
        self.table = table
        self.primary = primary
        self.backups = backups
    }

    /// The primary followed by the backups, in preference order.
    public var clusters: [ClusterRoute] { [primary] + backups }
}

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

/// A change of the routes a route store knows, as published by `RouteStore.routeChanges()` (Router).
public enum RouteChange: Sendable, Equatable {
    /// A table got a route or its route changed.
    case updated(Route)
    /// A table's route was removed from the route source.
    case removed(table: String)

    /// The table the change is about.
    public var table: String {
        switch self {
        case .updated(let route): route.table
        case .removed(let table): table
        }
    }
}
