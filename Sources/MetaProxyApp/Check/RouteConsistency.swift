import PegasusWire
import RouteModel

/// Checks across the routes of one route source that each route checks alone
/// (``RouteDocument``/``RouteFile`` already refuse a backup equal to its primary, a backup listed
/// twice and a MetaServer shared inside one route):
/// - one cluster name stands for one set of MetaServers in every route, as primary or backup;
/// - one MetaServer belongs to one cluster name.
enum RouteConsistency {
    /// The problems of `routes`, each against the first route that named the cluster or MetaServer
    /// otherwise. A problem's source is `source(table)`; its key is `keyPrefix(table)` followed by
    /// `cluster` for the primary or `backups[i]` for a backup.
    static func problems(
        _ routes: [Route], source: (String) -> String, keyPrefix: (String) -> String
    ) -> [CheckReport.Problem] {
        var clusters: [String: (metas: Set<Endpoint>, table: String)] = [:]
        var owners: [Endpoint: (cluster: String, table: String)] = [:]
        var problems: [CheckReport.Problem] = []
        for route in routes.sorted(by: { $0.table < $1.table }) {
            for (index, cluster) in route.clusters.enumerated() {
                let key = keyPrefix(route.table) + (index == 0 ? "cluster" : "backups[\(index - 1)]")
                let metas = Set(cluster.metas)
                if let known = clusters[cluster.name] {
                    if known.metas != metas {
                        problems.append(
                            .init(
                                source: source(route.table), key: key,
                                message: "cluster \"\(cluster.name)\" has MetaServers \(Self.list(metas)) here but "
                                    + "\(Self.list(known.metas)) in table \"\(known.table)\""))
                    }
                } else {
                    clusters[cluster.name] = (metas, route.table)
                }
                for meta in cluster.metas.sorted(by: { $0.description < $1.description }) {
                    if let owner = owners[meta], owner.cluster != cluster.name {
                        problems.append(
                            .init(
                                source: source(route.table), key: key,
                                message: "MetaServer \(meta) is in cluster \"\(cluster.name)\" here but in cluster "
                                    + "\"\(owner.cluster)\" in table \"\(owner.table)\""))
                    } else if owners[meta] == nil {
                        owners[meta] = (cluster.name, route.table)
                    }
                }
            }
        }
        return problems
    }

    /// What a set of routes holds, for the report: `3 tables (a, b, c), 2 clusters (c1, c2), 1 with backups`.
    static func summary(_ routes: [Route]) -> String {
        let tables = routes.map(\.table).sorted()
        let clusters = Set(routes.flatMap { $0.clusters.map(\.name) }).sorted()
        let withBackups = routes.filter { !$0.backups.isEmpty }.count
        return "\(count(tables.count, "table")) (\(abbreviated(tables))), "
            + "\(count(clusters.count, "cluster")) (\(abbreviated(clusters))), \(withBackups) with backups"
    }

    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// Up to 10 names, then `… and N more`.
    static func abbreviated(_ names: [String]) -> String {
        guard names.count > 10 else { return names.joined(separator: ", ") }
        return names.prefix(10).joined(separator: ", ") + ", … and \(names.count - 10) more"
    }

    private static func list(_ metas: Set<Endpoint>) -> String {
        "[" + metas.map(\.description).sorted().joined(separator: ", ") + "]"
    }
}
