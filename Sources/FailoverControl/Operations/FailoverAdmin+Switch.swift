import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router

extension FailoverAdmin {
    /// What a switch changed.
    public struct SwitchResult: Sendable {
        /// The declared route.
        public var route: Route
        /// The effective route before; `nil` when the table was never switched (on its primary).
        public var before: EffectiveRoute?
        /// The effective route written.
        public var after: EffectiveRoute
        /// The decision, as appended to ``FailoverPolicy/EffectiveRoute/history``.
        public var record: DecisionRecord

        /// The cluster the table was on.
        public var fromCluster: String { record.from }
    }

    /// Routes `table` to `cluster`: a DR drill or a manual failover.
    ///
    /// Judged by ``FailoverPolicy/ManualSwitch/validate(to:input:spec:force:)`` with the table's
    /// policy (its `guard:` and `failback:`) and the decider's published health and lag. A cluster
    /// that is neither the primary nor a declared backup, or the one already active, is always
    /// refused; other refusals are overridden by `force` (recorded as trigger `forced`). The
    /// document is written with compare-and-set against the version the decision was made on.
    /// - Parameters:
    ///   - table: The table.
    ///   - cluster: The target cluster name.
    ///   - force: Override the guard and health checks.
    ///   - drill: Mark the switch as a drill (mode `drill`) rather than a failover (mode `failover`);
    ///     a switch to the primary is always mode `primary`.
    /// - Throws: ``FailoverAdminError`` (``FailoverAdminError/Code/refused`` with the policy's reason,
    ///   ``FailoverAdminError/Code/conflict``, ...).
    public func switchTable(
        _ table: String,
        to cluster: String,
        force: Bool,
        drill: Bool = false
    ) async throws(FailoverAdminError) -> SwitchResult {
        let route = try await declaredRoute(table)
        return try await operatorSwitch(route, to: cluster, force: force, drill: drill)
    }

    /// Routes `table` back to its declared primary (`failover back`), judged like
    /// ``switchTable(_:to:force:drill:)``: the primary must be up and, unless the policy's
    /// `failback.require_reverse_duplication` is false, the reverse duplication must pass the guard.
    ///
    /// - Important: writes the backup took are on the primary only through a reverse duplication.
    public func switchBack(_ table: String, force: Bool) async throws(FailoverAdminError) -> SwitchResult {
        let route = try await declaredRoute(table)
        return try await operatorSwitch(route, to: route.primary.name, force: force, drill: false)
    }

    /// The ``FailoverPolicy/DecisionInput`` of an operator switch, built like the decider's
    /// (``DecisionInputBuilder``) from the published health, except that cluster health from a
    /// snapshot older than `healthMaxAge` counts as unknown: a decider that stopped publishing says
    /// nothing about now. Duplication observations keep their own time, so the guard's
    /// `max_lag_age` judges them.
    static func decisionInput(
        route: Route,
        document: EffectiveRoute?,
        health: HealthSnapshot?,
        healthMaxAge: Duration,
        globallyPaused: Bool,
        now: Date
    ) -> DecisionInput {
        var snapshot = health ?? HealthSnapshot(takenAt: now, clusters: [:], duplications: [], duplicationFailures: [])
        if now.timeIntervalSince(snapshot.takenAt) > seconds(healthMaxAge) {
            snapshot.clusters = [:]
        }
        return DecisionInputBuilder(snapshot: snapshot)
            .input(for: route, document: document, globallyPaused: globallyPaused, now: now)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    private func operatorSwitch(
        _ route: Route,
        to cluster: String,
        force: Bool,
        drill: Bool
    ) async throws(FailoverAdminError) -> SwitchResult {
        let table = route.table
        let stored = try await storedRoute(table)
        let now = clock()
        // Dated by ZooKeeper's clock: the decider's wall clock may differ from this host's.
        let snapshot = try await redatedHealth(now: now)
        let globallyPaused = try await globalPause() != nil
        let spec = policies.policy(for: table).spec
        let input = Self.decisionInput(
            route: route, document: stored?.document, health: snapshot, healthMaxAge: spec.lagGuard.maxLagAge,
            globallyPaused: globallyPaused, now: now)
        let decision: Decision
        switch ManualSwitch.validate(to: cluster, input: input, spec: spec, force: force) {
        case .success(let validated):
            decision = validated
        case .failure(let refusal):
            let overridable = refusal.reason.code != .unknownCluster && refusal.reason.code != .alreadyActive
            let health = snapshot == nil ? "; no health published (no decider running?)" : ""
            let hint = overridable ? "\(health); --force overrides (policy \(spec.name))" : ""
            throw FailoverAdminError(
                .refused, table: table, reason: refusal.reason,
                message: "switch of \(table) to \(cluster) refused: \(refusal.reason)\(hint)")
        }
        let trigger: DecisionRecord.Trigger = decision.reason.code == .operatorForced ? .forced : .manual
        guard var record = DecisionRecord(decision: decision, input: input, decidedBy: operatorName, trigger: trigger)
        else {
            throw FailoverAdminError(
                .refused, table: table, reason: decision.reason, message: "switch of \(table) refused: \(decision.reason)")
        }
        record.name(policies.policy(for: table))
        let mode: EffectiveRoute.Mode = record.to == route.primary.name ? .primary : (drill ? .drill : .failover)
        var after = stored?.document ?? initialDocument(route, now: now)
        after.apply(record, mode: mode, historyLimit: historyLimit)
        try await write(after, expecting: stored?.version)
        return SwitchResult(route: route, before: stored?.document, after: after, record: record)
    }
}
