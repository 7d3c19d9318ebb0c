import FailoverPolicy
import Foundation
import HealthProbe
import Router

/// Renders failover state for the `failover` commands.
enum FailoverOutput {
    static func text(_ overview: FailoverAdmin.Overview, _ statuses: [FailoverAdmin.TableStatus], detailed: Bool) -> String {
        var lines: [String] = []
        lines.append("decider: \(overview.decider ?? "none (no proxy with failover running?)")")
        if overview.globallyPaused { lines.append("automation: PAUSED for every table") }
        if let health = overview.health {
            let age = Int(Date().timeIntervalSince(health.takenAt))
            let clusters = health.clusters.keys.sorted().map { "\($0)=\(health.clusters[$0]?.state.rawValue ?? "?")" }
            lines.append("health (published \(age)s ago): \(clusters.joined(separator: " "))")
        } else {
            lines.append("health: none published (no decider running?)")
        }
        for status in statuses {
            let route = status.route
            var line = "\(route.table): declared=\(route.primary.name) effective=\(status.activeCluster)"
            line += " backups=\(route.backups.map(\.name).joined(separator: ","))"
            if let effective = status.effective {
                line += " mode=\(effective.mode.rawValue)\(effective.paused ? " PAUSED" : "")"
                line += " since=\(ISO8601DateFormatter().string(from: effective.since))"
            }
            lines.append(line)
            guard detailed else { continue }
            if let effective = status.effective {
                lines.append("  reason: \(effective.reason.text)  (by \(effective.decidedBy))")
            }
            for backup in route.backups {
                let observation = overview.health?.duplications.first {
                    $0.table == route.table && $0.primaryCluster == route.primary.name && $0.backupCluster == backup.name
                }
                let lag = observation?.maxLag.map { "\($0) decrees" } ?? "unknown"
                let age = observation.map { "\(Int(Date().timeIntervalSince($0.observedAt)))s ago" } ?? "never observed"
                lines.append("  duplication → \(backup.name): status=\(observation?.status?.rawValue ?? "?") lag=\(lag) (\(age))")
            }
            for record in status.effective?.history.suffix(5) ?? [] {
                lines.append(
                    "  \(ISO8601DateFormatter().string(from: record.at)) \(record.from) → \(record.to) [\(record.trigger.rawValue)] \(record.reason.text)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func text(_ outcome: FailoverAdmin.SwitchOutcome) -> String {
        "switched \(outcome.document.table): \(outcome.from) → \(outcome.document.activeCluster) (\(outcome.record.trigger.rawValue)): \(outcome.record.reason.text)"
    }

    static func json(_ overview: FailoverAdmin.Overview, _ statuses: [FailoverAdmin.TableStatus]) -> String {
        var tables: [[String: Any]] = []
        for status in statuses {
            var entry: [String: Any] = [
                "table": status.route.table,
                "declared": status.route.primary.name,
                "backups": status.route.backups.map(\.name),
                "effective": status.activeCluster,
            ]
            if let effective = status.effective, let data = try? effective.jsonData(),
                let object = try? JSONSerialization.jsonObject(with: data)
            {
                entry["document"] = object
            }
            tables.append(entry)
        }
        var document: [String: Any] = [
            "decider": overview.decider ?? "", "globally_paused": overview.globallyPaused, "tables": tables,
        ]
        if let health = overview.health, let bytes = try? health.jsonBytes(),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes))
        {
            document["health"] = object
        }
        return RouteOutput.render(document)
    }

    static func json(_ outcome: FailoverAdmin.SwitchOutcome) -> String {
        guard let data = try? outcome.document.jsonData() else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
