import FailoverControl
import Foundation
import MetaProxyApp
import PegasusWire
import RouteModel
import Router

/// Renders routes for the `route` commands.
enum RouteOutput {
    static func line(_ route: Route) -> String {
        var text = "\(route.table)  cluster=\(route.primary.name)  metas=\(route.primary.metas.map(\.description).joined(separator: ","))"
        for backup in route.backups {
            text += "  backup=\(backup.name):\(backup.metas.map(\.description).joined(separator: ","))"
        }
        return text
    }

    static func object(_ route: Route) -> [String: Any] {
        [
            "table": route.table,
            "cluster": route.primary.name,
            "meta-addrs": route.primary.metas.map(\.description),
            "backups": route.backups.map { ["cluster": $0.name, "meta-addrs": $0.metas.map(\.description)] },
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

    static func render(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
