import PegasusWire

/// Reads one table's route (cluster name, MetaServer addresses and backups) from a parsed document: a
/// ZooKeeper node's JSON or an entry of a routes file.
///
/// Accepted spellings: `cluster` or `cluster_name`; `meta-addrs` or `meta_addrs`, each either a list of
/// "host:port" strings or one comma-separated string; `backups`, a list of entries with the same keys.
enum RouteEntryReader {
    /// Keys naming the cluster.
    static let clusterKeys = ["cluster", "cluster_name"]
    /// Keys holding the MetaServer addresses.
    static let addressKeys = ["meta-addrs", "meta_addrs"]
    /// The key holding the backup clusters.
    static let backupsKey = "backups"

    /// Reads a route.
    /// - Parameters:
    ///   - table: The table the entry is for.
    ///   - value: The entry (a mapping).
    ///   - rejectsUnknownKeys: Whether keys other than the accepted ones are errors (routes files) or ignored
    ///     (ZooKeeper nodes, which other tools may extend).
    static func route(table: String, from value: DocumentValue, rejectsUnknownKeys: Bool) throws(DocumentError) -> Route
    {
        let clusterOnlyKeys = Set(clusterKeys + addressKeys)
        let mapping = try value.mapping(knownKeys: rejectsUnknownKeys ? clusterOnlyKeys.union([backupsKey]) : nil)
        let primary = try cluster(from: mapping)
        var backups: [ClusterRoute] = []
        for item in try mapping[backupsKey]?.sequence() ?? [] {
            let backupMapping = try item.mapping(knownKeys: rejectsUnknownKeys ? clusterOnlyKeys : nil)
            if backupMapping[backupsKey] != nil {
                throw item.error("a backup cannot have backups")
            }
            let backup = try cluster(from: backupMapping)
            let name = backup.name.diagnosticQuoted
            for (index, other) in ([primary] + backups).enumerated() {
                if other.name == backup.name {
                    let role = index == 0 ? "the primary cluster" : "listed twice as a backup"
                    throw item.error("backup cluster \(name) is \(role)")
                }
                if let shared = backup.metas.first(where: other.metas.contains) {
                    let otherName = other.name.diagnosticQuoted
                    throw item.error("backup cluster \(name) shares MetaServer \(shared) with cluster \(otherName)")
                }
            }
            backups.append(backup)
        }
        return Route(table: table, primary: primary, backups: backups)
    }

    private static func cluster(from mapping: DocumentMapping) throws(DocumentError) -> ClusterRoute {
        let name = try mapping.required(anyOf: clusterKeys).string()
        let addressList = try mapping.required(anyOf: addressKeys).stringList()
        var metas: [Endpoint] = []
        for item in addressList {
            let text = try item.string()
            let address: Endpoint
            do throws(AddressParseError) {
                address = try Endpoint(parsing: text)
            } catch {
                throw item.error(error.description)
            }
            guard !metas.contains(address) else {
                throw item.error("duplicate address \(address)")
            }
            metas.append(address)
        }
        return ClusterRoute(name: name, metas: metas)
    }
}
