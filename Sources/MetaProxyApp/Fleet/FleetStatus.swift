import FailoverControl
import Foundation
import RouteModel
import Router
import ZooKeeper

/// What `meta-proxy status` shows: every instance registered under a root
/// (`<root>/.meta-proxy/instances/<id>`, ``FailoverControl/InstanceRecord``) and, for every table
/// that some instance routes to a cluster other than its declared primary, or that instances route
/// differently, what each instance routes.
public struct FleetStatus: Sendable {
    /// One table worth showing.
    public struct Table: Sendable, Hashable {
        /// The table.
        public var table: String
        /// The declared primary (`<root>/<table>`), `nil` when the node is missing or unreadable.
        public var declared: String?
        /// Instance id → the cluster it routes the table to and the effective-route node version applied.
        public var routes: [String: InstanceRecord.RouteView]

        /// Some instance routes the table to another cluster than its declared primary.
        public var onBackup: Bool { routes.values.contains { $0.cluster != declared } }
        /// The instances do not all route the table to one cluster.
        public var inDisagreement: Bool { Set(routes.values.map(\.cluster)).count > 1 }
    }

    /// The ZooKeeper root read.
    public var root: String
    /// The records, by instance id.
    public var instances: [InstanceRecord]
    /// Instance nodes that could not be read or decoded: node name → error.
    public var unreadable: [String: String]
    /// The tables on a backup or in disagreement, by name.
    public var tables: [Table]

    /// Connects to ZooKeeper with `settings`, reads the fleet under `settings.root`, closes the client.
    /// - Throws: ``CommandError`` when ZooKeeper cannot be reached or read.
    public static func read(_ settings: ProxyConfiguration.ZooKeeperSettings) async throws -> FleetStatus {
        let client = try await CommandZooKeeper.connect(settings, logger: .command("meta-proxy.status"))
        do {
            let fleet = try await read(client: client, root: settings.root)
            await client.close()
            return fleet
        } catch {
            await client.close()
            throw error
        }
    }

    /// Reads the fleet under `root`.
    /// - Throws: ``CommandError`` when ZooKeeper fails (a missing instances node is an empty fleet).
    public static func read(client: ZooKeeperClient, root: String) async throws -> FleetStatus {
        let paths = FailoverPaths(root: root)
        let names: [String]
        do {
            names = try await client.children(paths.instances).sorted()
        } catch where error.code == .noNode {
            names = []
        } catch {
            throw CommandError("cannot list \(paths.instances): \(error)")
        }
        var instances: [InstanceRecord] = []
        var unreadable: [String: String] = [:]
        for name in names {
            do {
                let (data, _) = try await client.get(paths.instance(name))
                instances.append(try InstanceRecord.decode(data, path: paths.instance(name)))
            } catch let error as ZooKeeperError where error.code == .noNode {
                continue  // gone between the listing and the read: the instance stopped
            } catch {
                unreadable[name] = "\(error)"
            }
        }
        var routed: [String: [String: InstanceRecord.RouteView]] = [:]
        for record in instances {
            for (table, view) in record.routes { routed[table, default: [:]][record.instance] = view }
        }
        let admin = RouteAdmin(client: client, root: root)
        var tables: [Table] = []
        for (table, routes) in routed.sorted(by: { $0.key < $1.key }) {
            let declared = try? await admin.existingRoute(table)?.primary.name
            let entry = Table(table: table, declared: declared ?? nil, routes: routes)
            if entry.onBackup || entry.inDisagreement { tables.append(entry) }
        }
        return FleetStatus(root: root, instances: instances, unreadable: unreadable, tables: tables)
    }

    /// The human form: one line per instance, then the tables worth a look.
    public func text(now: Date) -> String {
        var lines = ["fleet under \(root): \(instances.count) instance\(instances.count == 1 ? "" : "s")"]
        if instances.isEmpty {
            lines.append("  no instance registered (none running, or none of a version that registers)")
        } else {
            let header = ["INSTANCE", "HOST", "ADMIN", "VERSION", "UPTIME", "ROUTES", "DECIDER"]
            let rows = instances.map { record in
                [
                    record.instance, record.host, record.admin ?? "-", record.version,
                    Self.duration(now.timeIntervalSince(record.startedAt)), record.routeSource.rawValue,
                    record.decider ? "yes" : "-",
                ]
            }
            lines += Self.columns([header] + rows).map { "  " + $0 }
        }
        for (name, error) in unreadable.sorted(by: { $0.key < $1.key }) {
            lines.append("  unreadable instance node \(name): \(error)")
        }
        if instances.isEmpty {
            // Nothing to compare.
        } else if tables.isEmpty {
            lines.append("every instance routes every table with backups to its declared primary")
        } else {
            lines.append("tables on a backup or in disagreement:")
            for table in tables {
                let flags = [table.onBackup ? "on a backup" : nil, table.inDisagreement ? "INSTANCES DISAGREE" : nil]
                    .compactMap { $0 }.joined(separator: ", ")
                lines.append("  \(table.table)  declared \(table.declared ?? "?")  (\(flags))")
                for (instance, view) in table.routes.sorted(by: { $0.key < $1.key }) {
                    let version = view.version < 0 ? "no failover node" : "failover node v\(view.version)"
                    lines.append("    \(instance) -> \(view.cluster)  (\(version))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON form (sorted keys, unescaped slashes, snake_case).
    public func json(now: Date) -> String {
        let document: [String: Any] = [
            "root": root,
            "instances": instances.map { record -> [String: Any] in
                [
                    "instance": record.instance, "host": record.host, "pid": record.pid,
                    "admin": record.admin ?? NSNull(), "listen": record.listen, "version": record.version,
                    "started_at": Self.iso(record.startedAt),
                    "uptime_s": Int(now.timeIntervalSince(record.startedAt)),
                    "route_source": record.routeSource.rawValue, "decider": record.decider,
                    "written_at": Self.iso(record.writtenAt),
                ]
            },
            "unreadable": unreadable,
            "tables": tables.map { table -> [String: Any] in
                [
                    "table": table.table, "declared": table.declared ?? NSNull(),
                    "on_backup": table.onBackup, "in_disagreement": table.inDisagreement,
                    "routes": table.routes.mapValues { ["cluster": $0.cluster, "version": $0.version] },
                ]
            },
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `3d4h`, `2h5m`, `4m10s`, `12s`.
    static func duration(_ interval: TimeInterval) -> String {
        let s = max(0, Int(interval))
        if s >= 86_400 { return "\(s / 86_400)d\(s % 86_400 / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        if s >= 60 { return "\(s / 60)m\(s % 60)s" }
        return "\(s)s"
    }

    private static func iso(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    /// Left-aligned columns two spaces apart.
    private static func columns(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
