import Foundation
import PegasusWire
import RouteModel
import Router

/// The `/routes` admin document: every cached route with its declared and effective cluster.
enum RoutesJSON {
    static func render(routes: [Route], effective: any EffectiveRouteSource, source: String) -> String {
        let entries: [[String: Any]] = routes.map { route in
            [
                "table": route.table,
                "cluster": route.primary.name,
                "meta_addrs": route.primary.metas.map(\.description),
                "backups": route.backups.map { ["cluster": $0.name, "meta_addrs": $0.metas.map(\.description)] },
                "active": effective.activeCluster(for: route).name,
            ]
        }
        let document: [String: Any] = ["source": source, "count": entries.count, "routes": entries]
        return CommandJSON.render(document, pretty: true) + "\n"
    }
}
