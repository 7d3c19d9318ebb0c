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
                "meta-addrs": route.primary.metas.map(\.description),
                "backups": route.backups.map { ["cluster": $0.name, "meta-addrs": $0.metas.map(\.description)] },
                "active": effective.activeCluster(for: route).name,
            ]
        }
        let document: [String: Any] = ["source": source, "count": entries.count, "routes": entries]
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
