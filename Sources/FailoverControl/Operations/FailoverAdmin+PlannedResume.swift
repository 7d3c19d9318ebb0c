import FailoverPolicy
import Logging
import PegasusWire
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `failover planned --resume|--abort <table>`: continue or undo a planned switchover that stopped.
extension FailoverAdmin {
    /// Reason code of a route moved back by an aborted planned switchover.
    public static let plannedSwitchoverAborted = DecisionReason.Code(rawValue: "planned_switchover_aborted")

    /// What ``abortPlanned(_:options:progress:)`` undid.
    public struct PlannedAbort: Sendable {
        /// The record after the abort (state `aborted`).
        public var record: PlannedRecord
        /// Whether the route was moved back to the source.
        public var routedBack: Bool
        /// What was done to the source's `replica.deny_client_request`.
        public var envRestored: String
    }

    /// Continues the table's stopped planned switchover from the step its record names.
    ///
    /// Unless the route was already switched, writes are blocked again and the drain is waited for
    /// again (settle counted from now): the duplication may have moved while it was stopped. Holds
    /// the table's planned lock like ``plannedSwitch(_:to:options:progress:)``.
    /// - Throws: ``FailoverAdminError/Code/invalidArgument`` when there is nothing to resume; what the
    ///   steps throw.
    public func resumePlanned(
        _ table: String,
        options: PlannedOptions = PlannedOptions(),
        progress: @escaping @Sendable (PlannedEvent) -> Void = { _ in }
    ) async throws(FailoverAdminError) -> SwitchResult {
        guard upstream != nil else {
            throw FailoverAdminError(.invalidArgument, table: table, message: "resuming needs a MetaServer client")
        }
        let report = plannedReporter(table, progress)
        return try await withPlannedLock(table, action: "resume") { () async throws(FailoverAdminError) -> SwitchResult in
            var record = try await unfinishedRecord(table, action: "resume")
            if !record.isDone(.switchRoute), try await storedRoute(table)?.document.activeCluster == record.to {
                // An earlier run's route write landed (it crashed or lost its reply before recording it):
                // never undo it; go on after it.
                record.done = [.check, .blockWrites, .drain, .switchRoute]
                report(.switchRoute, .progress, "\(table) is already routed to \(record.to): the route switch of an earlier run landed")
            } else if !record.isDone(.switchRoute) {
                // Not switched yet: re-assert the block and drain again from now.
                record.done.removeAll { $0 == .blockWrites || $0 == .drain }
            }
            let plan = try await replan(record, options: options)
            record.by = identity
            report(
                record.step, .progress,
                "resuming \(table) \(record.from) → \(record.to) at step \(record.step.rawValue) (done: \(Self.list(record.done)))")
            return try await runPlannedSteps(plan, record: record, options: options, report: report)
        }
    }

    /// Undoes the table's stopped planned switchover, newest step first: routes the table back to the
    /// source when it was switched (compare-and-set, trigger `planned`, reason
    /// `planned_switchover_aborted`), then restores the source's `replica.deny_client_request` (the
    /// value before the switchover, or none). Writes the target took after the switch reach the
    /// source only through a reverse duplication.
    /// - Throws: ``FailoverAdminError/Code/invalidArgument`` when there is nothing to abort.
    public func abortPlanned(
        _ table: String,
        options: PlannedOptions = PlannedOptions(),
        progress: @escaping @Sendable (PlannedEvent) -> Void = { _ in }
    ) async throws(FailoverAdminError) -> PlannedAbort {
        guard upstream != nil else {
            throw FailoverAdminError(.invalidArgument, table: table, message: "aborting needs a MetaServer client")
        }
        let report = plannedReporter(table, progress)
        return try await withPlannedLock(table, action: "abort") { () async throws(FailoverAdminError) -> PlannedAbort in
            var record = try await unfinishedRecord(table, action: "abort")
            let plan = try await replan(record, options: nil)
            record.by = identity
            record.state = .running
            record.message = "aborting"
            record.updatedAt = clock()
            try await saveRecord(record)
            let routedBack = try await routeBack(plan, record: record, report: report)
            let request: UpdateAppEnvRequest
            let undo: String
            if let previous = record.previousDenial {
                request = .set([Self.denyClientRequest: previous], appName: table)
                undo = "restored \(Self.denyClientRequest)=\(previous) on \(record.from)"
            } else {
                request = .delete([Self.denyClientRequest], appName: table)
                undo = "deleted \(Self.denyClientRequest) on \(record.from)"
            }
            do throws(FailoverAdminError) {
                try await updateAppEnv(request, on: plan.source, timeout: options.rpcTimeout)
            } catch {
                let note = await settle(&record, .failed, message: "abort: \(error.message)") ?? ""
                var failure = error
                failure.message = "aborting: \(error.message)\(note); retry `meta-proxy failover planned --abort \(table)`"
                throw failure
            }
            report(.blockWrites, .aborted, "\(undo); writes are accepted again")
            let note = await settle(&record, .aborted, message: "aborted: \(routedBack ? "routed back, " : "")\(undo)")
            if let note {
                report(.blockWrites, .progress, note)
            }
            return PlannedAbort(record: record, routedBack: routedBack, envRestored: undo)
        }
    }

    /// The table's record, unless it is finished.
    private func unfinishedRecord(_ table: String, action: String) async throws(FailoverAdminError) -> PlannedRecord {
        guard let (record, _) = try await plannedRecord(table) else {
            throw FailoverAdminError(
                .invalidArgument, table: table, path: paths.plannedRecord(of: table),
                message: "\(table) has no planned switchover record: nothing to \(action)")
        }
        guard !record.state.isFinished else {
            throw FailoverAdminError(
                .invalidArgument, table: table, path: paths.plannedRecord(of: table),
                message: "the planned switchover of \(table) \(record.from) → \(record.to) is \(record.state.rawValue): "
                    + "nothing to \(action)")
        }
        return record
    }

    /// The plan of a recorded switchover: the clusters from the declared route, the partition count
    /// from the source (when `options` is given: the drain needs it).
    private func replan(_ record: PlannedRecord, options: PlannedOptions?) async throws(FailoverAdminError) -> PlannedSwitchPlan {
        let route = try await declaredRoute(record.table)
        guard let source = route.clusters.first(where: { $0.name == record.from }),
            let target = route.clusters.first(where: { $0.name == record.to })
        else {
            throw FailoverAdminError(
                .plannedStep, table: record.table, step: record.step,
                message: "the declared route of \(record.table) no longer names \(record.from) and \(record.to): "
                    + "fix the route, or delete \(paths.plannedRecord(of: record.table)) and restore the envs by hand")
        }
        var partitions = 0
        if let options, !record.isDone(.drain) {
            partitions = Int(try await appInfo(record.table, on: source, timeout: options.rpcTimeout).partitionCount)
        }
        return PlannedSwitchPlan(
            route: route, source: source, target: target, partitionCount: partitions, lagSource: nil,
            previousDenial: record.previousDenial)
    }

    /// Routes the table back to the source when it is on the target; whether it did.
    private func routeBack(
        _ plan: PlannedSwitchPlan,
        record: PlannedRecord,
        report: PlannedReport
    ) async throws(FailoverAdminError) -> Bool {
        let table = plan.route.table
        guard let stored = try await storedRoute(table), stored.document.activeCluster == plan.target.name else {
            report(.switchRoute, .progress, "\(table) is not routed to \(plan.target.name): no route to undo")
            return false
        }
        let decision = DecisionRecord(
            table: table, from: plan.target.name, to: plan.source.name,
            reason: DecisionReason(
                Self.plannedSwitchoverAborted,
                "planned switchover \(plan.source.name) → \(plan.target.name) aborted by \(identity)"),
            at: clock(), decidedBy: operatorName, lagDecrees: nil, trigger: .planned)
        var after = stored.document
        let mode: EffectiveRoute.Mode = plan.source.name == plan.route.primary.name ? .primary : .planned
        after.apply(decision, mode: mode, historyLimit: historyLimit)
        do throws(FailoverAdminError) {
            try await write(after, expecting: stored.version)
        } catch where error.code == .zooKeeper {
            guard try await routeWriteLanded(after, table: table, error: error) else {
                throw error
            }
        }
        report(
            .switchRoute, .aborted,
            "\(table) is routed back to \(plan.source.name); writes \(plan.target.name) took since the switch reach "
                + "\(plan.source.name) only through a reverse duplication")
        return true
    }
}
