import PegasusWire
import RouteModel

/// Logger metadata keys used by the route stores.
enum RouteLoggingKeys {
    /// The table name.
    static let table = "metaproxy.table"
    /// The number of tables with a route.
    static let tableCount = "metaproxy.table_count"
    /// The number of tables whose route changed.
    static let changedCount = "metaproxy.changed_count"
    /// The routes file's path.
    static let filePath = "file.path"
    /// The key path inside a document, e.g. `tables.t2.meta_addrs[1]`.
    static let keyPath = "config.key"
    /// A ZooKeeper node path.
    static let zkPath = "zk.path"
    /// The ZooKeeper root of the table nodes.
    static let zkRoot = "zk.root"
}
