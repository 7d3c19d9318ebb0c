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
