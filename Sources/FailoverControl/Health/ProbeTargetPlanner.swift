import FailoverPolicy
import HealthProbe
import PegasusWire
import RouteModel
import Router

/// Which clusters the health prober watches, and how, for a set of routes and policies (pure).
///
/// Every primary and backup cluster of a route **with backups** is a target. Its MetaServers are
/// the union of the addresses the routes give for that cluster name (first seen first). Its probe
/// settings are those of the most demanding policy among the tables using it: the smallest
/// detection time `interval × fall`, then the smallest interval, then the smallest timeout.
/// Its RPC probe queries the first (by name) table using it. It records duplications of every
/// table it is the primary of (towards the table's backups) and, for failback, of every table it is
/// a backup of (towards the table's primary).
enum ProbeTargetPlanner {
    private struct Draft {
        var metas: [String] = []
        var probe: FailoverPolicy.ProbeSettings?
        var tables: Set<String> = []
        var protected: [String: Set<String>] = [:]

        mutating func add(_ cluster: ClusterRoute, table: String, probe candidate: FailoverPolicy.ProbeSettings) {
            for meta in cluster.metas.map(\.description) where !metas.contains(meta) {
                metas.append(meta)
            }
            if probe.map({ ProbeTargetPlanner.isMoreDemanding(candidate, than: $0) }) ?? true {
                probe = candidate
            }
            tables.insert(table)
        }
    }

    /// The targets for `routes`, sorted by cluster name; routes without backups are ignored.
    static func targets(for routes: [Route], policies: PolicySet) -> [ProbeTarget] {
        var drafts: [String: Draft] = [:]
        for route in routes where !route.backups.isEmpty {
            let probe = policies.policy(for: route.table).spec.probe
            drafts[route.primary.name, default: Draft()].add(route.primary, table: route.table, probe: probe)
            drafts[route.primary.name, default: Draft()].protected[route.table, default: []]
                .formUnion(route.backups.map(\.name))
            for backup in route.backups {
                drafts[backup.name, default: Draft()].add(backup, table: route.table, probe: probe)
                drafts[backup.name, default: Draft()].protected[route.table, default: []].insert(route.primary.name)
            }
        }
        return drafts.sorted { $0.key < $1.key }.map { cluster, draft in
            ProbeTarget(
                cluster: cluster,
                metas: draft.metas,
                settings: settings(draft.probe ?? FailoverPolicy.ProbeSettings()),
                rpcTable: draft.tables.min(),
                protectedTables: draft.protected.mapValues { $0.sorted() }
            )
        }
    }

    /// The decider's tick: the smallest probe interval among the tables with backups, at least `floor`;
    /// `idle` when there is none.
    static func tickInterval(for routes: [Route], policies: PolicySet, floor: Duration, idle: Duration) -> Duration {
        let intervals = routes.filter { !$0.backups.isEmpty }.map { policies.policy(for: $0.table).spec.probe.interval }
        return intervals.min().map { max($0, floor) } ?? idle
    }

    /// The prober's settings for a policy's `probe:` section.
    static func settings(_ probe: FailoverPolicy.ProbeSettings) -> ProbeTarget.Settings {
        ProbeTarget.Settings(interval: probe.interval, timeout: probe.timeout, fall: probe.fall, rise: probe.rise)
    }

    /// Whether `candidate` detects a dead cluster sooner than `current`.
    static func isMoreDemanding(_ candidate: FailoverPolicy.ProbeSettings, than current: FailoverPolicy.ProbeSettings)
        -> Bool
    {
        func key(_ probe: FailoverPolicy.ProbeSettings) -> (Duration, Duration, Duration) {
            (probe.interval * probe.fall, probe.interval, probe.timeout)
        }
        return key(candidate) < key(current)
    }
}
