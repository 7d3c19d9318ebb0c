import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import MetaProxyApp
import RouteModel

/// Renders the `failover` commands' results as text or JSON.
enum FailoverOutput {
    static let noHealth = "no health published (no decider running?)"

    // MARK: status <table>

    static func text(_ status: FailoverAdmin.TableStatus) -> String {
        let route = status.route
        var lines = ["table \(route.table)"]
        lines.append("  declared   \(RouteOutput.line(route).dropFirst(route.table.count + 2))")
        if let effective = status.effective {
            lines.append(
                "  effective  \(effective.activeCluster)  mode=\(effective.mode.rawValue)  since=\(date(effective.since))"
                    + " (\(age(effective.since, status.readAt)) ago)  by=\(effective.decidedBy)"
                    + (effective.lagDecrees.map { "  lag=\($0)" } ?? ""))
            lines.append("             reason \(effective.reason)")
        } else {
            lines.append("  effective  \(route.primary.name) (no effective route node: on the declared primary, never switched)")
        }
        let spec = status.policy
        lines.append(
            "  policy     \(spec.name) (kind \(spec.kind), guard max_lag_decrees=\(spec.lagGuard.maxLagDecrees) "
                + "max_lag_age=\(PolicyDuration.format(spec.lagGuard.maxLagAge)), \(spec.file))")
        lines.append("  paused     table=\(yesNo(status.effective?.paused ?? false))  global=\(pauseText(status.globalPause))")
        lines.append("  decider    \(status.decider.map { "\($0.instance) (\($0.node))" } ?? "none")")
        switch status.health {
        case .absent:
            lines.append("  health     \(noHealth)")
        case .unreadable(let error):
            lines.append("  health     unreadable health node: \(error)")
        case .published(let snapshot):
            lines.append("  health     published \(age(snapshot.takenAt, status.readAt)) ago (\(date(snapshot.takenAt)))")
            for cluster in route.clusters {
                let role = cluster.name == route.primary.name ? "primary" : "backup"
                let active = cluster.name == status.activeCluster ? " ACTIVE" : ""
                guard let health = snapshot.clusters[cluster.name] else {
                    lines.append("    \(cluster.name)  \(role)\(active)  not probed")
                    continue
                }
                var line = "    \(cluster.name)  \(role)\(active)  \(health.state)"
                if let since = health.since {
                    line += " since \(date(since)) (\(age(since, status.readAt)))"
                }
                if let leader = health.leader {
                    line += "  leader=\(leader)"
                }
                if let verdict = health.lastVerdict, !verdict.healthy {
                    line += "  last: \(verdict.reason.rawValue)\(verdict.detail.map { " \($0)" } ?? "")"
                }
                lines.append(line)
            }
        }
        let observations = status.duplications
        if !observations.isEmpty || !status.duplicationFailures.isEmpty {
            lines.append("  lag")
        }
        for observation in observations {
            lines.append("    \(lagText(observation, now: status.readAt))")
        }
        for failure in status.duplicationFailures {
            lines.append("    \(failure.primaryCluster): query failed \(age(failure.at, status.readAt)) ago: \(failure.error)")
        }
        let history = status.effective?.history ?? []
        lines.append(history.isEmpty ? "  history    none" : "  history (oldest first)")
        for record in history {
            lines.append("    \(recordText(record))")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ status: FailoverAdmin.TableStatus) -> String {
        var health: [String: Any] = ["published": false]
        switch status.health {
        case .absent:
            health["note"] = noHealth
        case .unreadable(let error):
            health["error"] = error
        case .published(let snapshot):
            health["published"] = true
            health["taken_at"] = date(snapshot.takenAt)
            health["age_seconds"] = seconds(snapshot.takenAt, status.readAt)
            var clusters: [String: Any] = [:]
            for cluster in status.route.clusters {
                guard let cluster = snapshot.clusters[cluster.name].map({ (cluster.name, $0) }) else { continue }
                clusters[cluster.0] = [
                    "state": cluster.1.state.rawValue,
                    "since": orNull(cluster.1.since.map(date)),
                    "leader": orNull(cluster.1.leader),
                ]
            }
            health["clusters"] = clusters
        }
        let object: [String: Any] = [
            "table": status.route.table,
            "declared": RouteOutput.object(status.route),
            "active_cluster": status.activeCluster,
            "effective": orNull(status.effective.map(object)),
            "policy": ["name": status.policy.name, "kind": status.policy.kind, "file": status.policy.file],
            "paused": ["table": status.effective?.paused ?? false, "global": orNull(status.globalPause.map(object))],
            "decider": orNull(status.decider.map { ["node": $0.node, "instance": $0.instance] }),
            "health": health,
            "duplications": status.duplications.map { lagObject($0, now: status.readAt) },
            "history": (status.effective?.history ?? []).map(object),
        ]
        return RouteOutput.render(object)
    }

    // MARK: status (all tables)

    static func text(_ overview: FailoverAdmin.Overview) -> String {
        var lines = [
            "decider: \(overview.decider.map { "\($0.instance) (\($0.node))" } ?? "none")",
            "global pause: \(pauseText(overview.globalPause))",
            "health: \(healthLine(overview.health, now: overview.readAt))",
        ]
        for row in overview.rows {
            var line = "\(row.route.table)  primary=\(row.route.primary.name)"
            line += "  backups=\(row.route.backups.map(\.name).joined(separator: ","))"
            line += "  active=\(row.activeCluster)"
            if let effective = row.effective {
                line += "  mode=\(effective.mode.rawValue)  paused=\(yesNo(effective.paused))  since=\(date(effective.since))"
            } else if let error = row.effectiveError {
                line += "  UNREADABLE effective route: \(error)"
            } else {
                line += "  mode=primary  paused=no  (never switched)"
            }
            lines.append(line)
        }
        if overview.rows.isEmpty {
            lines.append("no routed table declares a backup")
        }
        if overview.tablesWithoutBackups > 0 {
            lines.append("(\(overview.tablesWithoutBackups) routed tables without backups not shown)")
        }
        for (table, error) in overview.invalidRoutes {
            lines.append("\(table)  INVALID route: \(error)")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ overview: FailoverAdmin.Overview) -> String {
        let rows = overview.rows.map { row -> [String: Any] in
            [
                "table": row.route.table,
                "primary": row.route.primary.name,
                "backups": row.route.backups.map(\.name),
                "active_cluster": row.activeCluster,
                "mode": orNull(row.effective?.mode.rawValue ?? (row.effectiveError == nil ? "primary" : nil)),
                "paused": row.effective?.paused ?? false,
                "since": orNull(row.effective.map { date($0.since) }),
                "error": orNull(row.effectiveError),
            ]
        }
        var health: [String: Any] = [:]
        switch overview.health {
        case .absent: health = ["published": false, "note": noHealth]
        case .unreadable(let error): health = ["published": false, "error": error]
        case .published(let snapshot):
            health = [
                "published": true, "taken_at": date(snapshot.takenAt),
                "age_seconds": seconds(snapshot.takenAt, overview.readAt),
            ]
        }
        return RouteOutput.render([
            "tables": rows,
            "tables_without_backups": overview.tablesWithoutBackups,
            "invalid_routes": overview.invalidRoutes.map { ["table": $0.table, "error": $0.error] },
            "global_pause": orNull(overview.globalPause.map(object)),
            "decider": orNull(overview.decider.map { ["node": $0.node, "instance": $0.instance] }),
            "health": health,
        ])
    }

    // MARK: switch, back

    static func text(_ result: FailoverAdmin.SwitchResult) -> String {
        let record = result.record
        let before =
            result.before.map { "\($0.activeCluster) (mode \($0.mode.rawValue) since \(date($0.since)))" }
            ?? "\(record.from) (never switched)"
        let after = result.after
        return [
            "\(result.route.table): \(record.from) -> \(record.to) (mode \(after.mode.rawValue), trigger \(record.trigger.rawValue))",
            "  before  \(before)",
            "  after   \(after.activeCluster) (mode \(after.mode.rawValue) since \(date(after.since)), by \(after.decidedBy))",
            "  reason  \(record.reason)",
        ].joined(separator: "\n")
    }

    static func json(_ result: FailoverAdmin.SwitchResult, caveat: String? = nil) -> String {
        var object: [String: Any] = [
            "table": result.route.table,
            "before": orNull(result.before.map(object)),
            "after": object(result.after),
            "record": object(result.record),
        ]
        if let caveat {
            object["caveat"] = caveat
        }
        return RouteOutput.render(object)
    }

    static func backCaveat(_ result: FailoverAdmin.SwitchResult) -> String {
        "writes \(result.record.from) took while active are on \(result.record.to) only if a reverse duplication "
            + "\(result.record.from) → \(result.record.to) shipped them; otherwise they stay on \(result.record.from)"
    }

    static func json(planned result: FailoverAdmin.SwitchResult, events: [FailoverAdmin.PlannedEvent]) -> String {
        RouteOutput.render([
            "ok": true,
            "table": result.route.table,
            "steps": events.map(object),
            "before": orNull(result.before.map(object)),
            "after": object(result.after),
            "record": object(result.record),
        ])
    }

    /// A failed planned switch: the usual JSON error (`error.code`, `error.message`) plus the steps run.
    static func json(
        failed error: FailoverAdminError, failure: CommandFailure, table: String, events: [FailoverAdmin.PlannedEvent]
    ) -> String {
        RouteOutput.render([
            "ok": false,
            "table": table,
            "failed_step": orNull(error.step?.rawValue),
            "error": ["code": failure.kind.rawValue, "exit_status": Int(failure.exitStatus), "message": failure.message],
            "steps": events.map(object),
        ])
    }

    // MARK: pause, resume

    static func pause(table: String, before: Bool, after: Bool, json: Bool) -> String {
        if json {
            return RouteOutput.render(["table": table, "paused": after, "changed": before != after])
        }
        let state = after ? "paused" : "resumed"
        return before == after ? "\(table): automation already \(state)" : "\(table): automation \(state)"
    }

    static func globalPause(_ pause: FailoverAdmin.GlobalPause?, changed: Bool, paused: Bool, json: Bool) -> String {
        if json {
            return RouteOutput.render([
                "global": true, "paused": paused, "changed": changed, "pause": orNull(pause.map(object)),
            ])
        }
        switch (paused, changed) {
        case (true, true): return "automation paused for every table (\(pauseText(pause)))"
        case (true, false): return "automation was already paused for every table (\(pauseText(pause)))"
        case (false, true): return "automation resumed for every table (was \(pauseText(pause)))"
        case (false, false): return "automation was not paused globally"
        }
    }

    // MARK: planned --resume|--abort, plan

    static func planned(_ record: FailoverAdmin.PlannedRecord?, table: String, json: Bool) -> String {
        guard let record else {
            return json ? RouteOutput.render(["table": table, "record": NSNull()]) : "\(table): no planned switchover record"
        }
        if json {
            return RouteOutput.render(["table": table, "record": object(record)])
        }
        var lines = [
            "\(table): planned switchover \(record.from) → \(record.to): \(record.state.rawValue) at step \(record.step.rawValue)",
            "  done: \(record.done.isEmpty ? "none" : record.done.map(\.rawValue).joined(separator: ", "))",
            "  by: \(record.by.operatorName), \(record.by)",
            "  started \(date(record.startedAt)), updated \(date(record.updatedAt))",
        ]
        if let message = record.message {
            lines.append("  message: \(message)")
        }
        if !record.nextAction.isEmpty {
            lines.append("  next: \(record.nextAction)")
        }
        return lines.joined(separator: "\n")
    }

    static func aborted(_ result: FailoverAdmin.PlannedAbort, events: [FailoverAdmin.PlannedEvent], json: Bool) -> String {
        if json {
            return RouteOutput.render([
                "ok": true, "table": result.record.table, "routed_back": result.routedBack,
                "env": result.envRestored, "record": object(result.record), "steps": events.map(object),
            ])
        }
        let route = result.routedBack ? "routed back to \(result.record.from); " : ""
        return "\(result.record.table): planned switchover \(result.record.from) → \(result.record.to) aborted: "
            + "\(route)\(result.envRestored)"
    }

    static func plan(_ plan: (entries: [FailoverAdmin.PlanEntry], health: FailoverAdmin.HealthReading), json: Bool) -> String {
        let now = plan.entries.first?.input.now ?? Date()
        if json {
            return RouteOutput.render([
                "health": healthObject(plan.health),
                "tables": plan.entries.map { entry -> [String: Any] in
                    [
                        "table": entry.route.table,
                        "decision": entry.verb,
                        "active": entry.input.effectiveCluster,
                        "target": entry.target,
                        "reason": ["code": entry.decision.reason.code.rawValue, "text": entry.decision.reason.text],
                        "policy": entry.policy.name,
                        "policy_kind": entry.policy.spec.kind,
                        "policy_hash": orNull(entry.policy.fileHash),
                        "paused": ["table": entry.input.tablePaused, "global": entry.input.globallyPaused],
                        "health": Dictionary(uniqueKeysWithValues: entry.input.health.map { name, health in
                            (name, ["state": health.state.rawValue, "since": date(health.since)] as [String: Any])
                        }),
                        "lag_decrees": Dictionary(uniqueKeysWithValues: entry.input.backups.map { backup in
                            (backup, orNull(entry.input.duplications[backup]?.maxLagDecrees))
                        }),
                    ]
                },
            ])
        }
        var lines: [String] = []
        if case .published = plan.health {} else {
            lines.append("note: \(healthLine(plan.health, now: now)): every cluster counts as unknown")
        }
        if plan.entries.isEmpty {
            lines.append("no table with backups")
        }
        for entry in plan.entries {
            let verb = entry.verb == "keep" || entry.verb == "refuse" ? "\(entry.verb) on \(entry.target)" : "\(entry.verb) to \(entry.target)"
            lines.append(
                "\(entry.route.table): \(verb) (\(entry.decision.reason.code.rawValue): \(entry.decision.reason.text))")
            let health = entry.route.clusters.map { cluster -> String in
                let state = entry.input.health[cluster.name]
                return "\(cluster.name) \(state.map { "\($0.state.rawValue) for \(age($0.since, now))" } ?? "unknown")"
            }
            lines.append("  health: \(health.joined(separator: ", "))")
            let lags = entry.input.backups.map { backup in
                "\(backup) \(entry.input.duplications[backup]?.maxLagDecrees.map { "\($0) decrees" } ?? "unknown")"
            }
            lines.append("  lag: \(lags.isEmpty ? "none" : lags.joined(separator: ", "))")
            var policy = "  policy: \(entry.policy.name) (\(entry.policy.spec.kind)"
            policy += entry.policy.fileHash.map { ", \($0))" } ?? ")"
            if entry.input.tablePaused || entry.input.globallyPaused {
                policy += "; automation paused\(entry.input.globallyPaused ? " globally" : "")"
            }
            lines.append(policy)
        }
        return lines.joined(separator: "\n")
    }

    private static func healthObject(_ health: FailoverAdmin.HealthReading) -> Any {
        switch health {
        case .absent: return ["published": false]
        case .unreadable(let error): return ["published": false, "error": error]
        case .published(let snapshot): return ["published": true, "taken_at": date(snapshot.takenAt)]
        }
    }

    // MARK: pieces

    private static func healthLine(_ health: FailoverAdmin.HealthReading, now: Date) -> String {
        switch health {
        case .absent: noHealth
        case .unreadable(let error): "unreadable health node: \(error)"
        case .published(let snapshot):
            "published \(age(snapshot.takenAt, now)) ago: "
                + snapshot.clusters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.state)" }.joined(separator: " ")
        }
    }

    private static func lagText(_ observation: DuplicationObservation, now: Date) -> String {
        let link = "\(observation.primaryCluster) → \(observation.backupCluster)"
        guard let status = observation.status else {
            return "\(link)  no duplication (observed \(age(observation.observedAt, now)) ago)"
        }
        let source = observation.lagSource.map { " (\($0.rawValue))" } ?? ""
        let lag =
            observation.maxLag.map { "max lag \($0) decrees\(source)" }
            ?? "lag unknown (\(observation.lagUnknownReason?.rawValue ?? "?"))"
        let mode = observation.failMode.map { " \($0.idlName)" } ?? ""
        return "\(link)  \(status.idlName)\(mode)  \(lag)  observed \(age(observation.observedAt, now)) ago"
    }

    private static func lagObject(_ observation: DuplicationObservation, now: Date) -> [String: Any] {
        [
            "primary": observation.primaryCluster,
            "backup": observation.backupCluster,
            "status": orNull(observation.status?.idlName),
            "fail_mode": orNull(observation.failMode?.idlName),
            "max_lag": orNull(observation.maxLag),
            "lag_unknown_reason": orNull(observation.lagUnknownReason?.rawValue),
            "lag_source": orNull(observation.lagSource?.rawValue),
            "observed_at": date(observation.observedAt),
            "age_seconds": seconds(observation.observedAt, now),
        ]
    }

    private static func recordText(_ record: DecisionRecord) -> String {
        "\(date(record.at))  \(record.from) -> \(record.to)  \(record.trigger.rawValue) by \(record.decidedBy)"
            + (record.lagDecrees.map { "  lag=\($0)" } ?? "") + "  \(record.reason)"
    }

    private static func pauseText(_ pause: FailoverAdmin.GlobalPause?) -> String {
        guard let pause else {
            return "no"
        }
        return "yes by \(pause.by)" + (pause.at.map { " at \(date($0))" } ?? "")
            + (pause.reason.map { ": \($0)" } ?? "")
    }

    private static func orNull(_ value: Any?) -> Any { value ?? NSNull() }

    private static func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

    /// A Codable value as a JSON object, through the failover documents' encoder.
    private static func object(_ value: some Encodable) -> Any {
        guard let data = try? FailoverJSON.makeEncoder().encode(value),
            let object = try? JSONSerialization.jsonObject(with: data)
        else {
            return NSNull()
        }
        return object
    }

    private static func object(_ event: FailoverAdmin.PlannedEvent) -> [String: Any] {
        ["step": event.step.rawValue, "kind": event.kind.rawValue, "text": event.text]
    }

    private static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    private static func seconds(_ from: Date, _ now: Date) -> Double {
        (now.timeIntervalSince(from) * 1000).rounded() / 1000
    }

    private static func age(_ from: Date, _ now: Date) -> String {
        PolicyDuration.format(.seconds(max(0, Int64(now.timeIntervalSince(from).rounded()))))
    }
}
