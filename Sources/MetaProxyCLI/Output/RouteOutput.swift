import Foundation
import PegasusWire
import RouteModel
import Router
import MetaProxyApp

/// Renders routes for the `route` commands.
enum RouteOutput {
    static func line(_ route: Route) -> String {
        var text = "\(route.table)  cluster=\(route.primary.name)  metas=\(route.primary.metas.map(\.description).joined(separator: ","))"
        for backup in route.backups {
            text += "  backup=\(backup.name):\(backup.metas.map(\.description).joined(separator: ","))"
        }
        return text
    }

    /// A `route list` line: the route, or why the table's node is invalid.
    static func line(_ listing: RouteAdmin.Listing) -> String {
        switch listing {
        case .route(let route): line(route)
        case .invalid(let table, let error): "\(table)  INVALID: \(error)"
        }
    }

    /// A `route sync` plan line: the action, the table and why.
    static func line(_ item: RouteAdmin.SyncItem) -> String {
        let note = (item.currentCluster.map { " (routed to \($0))" } ?? "") + (item.note.map { " (\($0))" } ?? "")
        return "\(item.action.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(item.table)\(note)"
    }

    /// The last line of `route sync`: how many tables each action touched.
    static func totals(_ plan: [RouteAdmin.SyncItem], dryRun: Bool, force: Bool) -> String {
        let conflicts = plan.filter { $0.action == .conflict }.count
        return "\(dryRun ? "plan" : "done"): \(plan.filter { $0.action == .create }.count) created, "
            + "\(plan.filter { $0.action == .overwrite }.count) overwritten, "
            + "\(plan.filter { $0.action == .unchanged }.count) unchanged, \(conflicts) conflicts"
            + (conflicts > 0 && !force ? " (left alone; --force overwrites)" : "")
    }

    static func object(_ route: Route) -> [String: Any] {
        [
            "table": route.table,
            "cluster": route.primary.name,
            "meta_addrs": route.primary.metas.map(\.description),
            "backups": route.backups.map { ["cluster": $0.name, "meta_addrs": $0.metas.map(\.description)] },
        ]
    }

    static func json(_ route: Route) -> String { render(object(route)) }

    static func json(_ listings: [RouteAdmin.Listing]) -> String {
        render(
            listings.map { listing -> [String: Any] in
                switch listing {
                case .route(let route): return object(route)
                case .invalid(let table, let error): return ["table": table, "error": "\(error)"]
                }
            })
    }

    static func json(_ plan: [RouteAdmin.SyncItem], dryRun: Bool) -> String {
        render([
            "dry_run": dryRun,
            "items": plan.map { item -> [String: Any] in
                var object: [String: Any] = [
                    "table": item.table, "action": item.action.rawValue, "current": item.currentCluster ?? "",
                ]
                if let note = item.note { object["note"] = note }
                return object
            },
        ])
    }

    static func render(_ value: Any) -> String { CommandJSON.render(value) }
}
