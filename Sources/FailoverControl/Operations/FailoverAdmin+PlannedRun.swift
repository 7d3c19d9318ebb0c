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

/// Running, resuming and aborting the steps of a planned switchover from its ``FailoverAdmin/PlannedRecord``.
extension FailoverAdmin {
    /// Runs the steps after check that `record` does not list as done, recording each before doing it.
    func runPlannedSteps(
        _ plan: PlannedSwitchPlan,
        record start: PlannedRecord,
        options: PlannedOptions,
        report: PlannedReport
    ) async throws(FailoverAdminError) -> SwitchResult {
        var record = start
        let table = plan.route.table
        let source = plan.source.name
        var blockedAt = ContinuousClock.now
        if !record.isDone(.blockWrites) {
            try await begin(.blockWrites, &record, options: options, report: report)
            report(.blockWrites, .started, "set \(Self.denyClientRequest)=\(Self.denyWrites) on \(source)")
            do throws(FailoverAdminError) {
                try await updateAppEnv(
                    .set([Self.denyClientRequest: Self.denyWrites], appName: table), on: plan.source,
                    timeout: options.rpcTimeout)
            } catch {
                // The request may have been applied before its reply was lost: undo it to be sure.
                throw await failed(error, at: .blockWrites, plan: plan, &record, options: options, report: report)
            }
            blockedAt = ContinuousClock.now
            report(.blockWrites, .done, "writes on \(source) are dropped without reply; clients time out")
            record.done.append(.blockWrites)
        }
        if !record.isDone(.drain) {
            try await begin(.drain, &record, options: options, report: report)
            do throws(FailoverAdminError) {
                try await drain(plan, blockedAt: blockedAt, options: options, report: report)
            } catch {
                throw await failed(error, at: .drain, plan: plan, &record, options: options, report: report)
            }
            record.done.append(.drain)
        }
        var result: SwitchResult
        if !record.isDone(.switchRoute) {
            try await begin(.switchRoute, &record, options: options, report: report)
            do throws(FailoverAdminError) {
                result = try await switchPlannedRoute(plan, report: report)
            } catch {
                throw await failed(error, at: .switchRoute, plan: plan, &record, options: options, report: report)
            }
            record.done.append(.switchRoute)
        } else {
            result = try await switchedResult(plan)
        }
        if !record.isDone(.awaitInstances) {
            try await begin(.awaitInstances, &record, options: options, report: report)
            do throws(FailoverAdminError) {
                try await awaitInstances(table, routingTo: plan.target.name, options: options, report: report)
            } catch {
                throw await failed(error, at: .awaitInstances, plan: plan, &record, options: options, report: report)
            }
            record.done.append(.awaitInstances)
        }
        try await begin(.reconfigClients, &record, options: options, report: report)
        report(.reconfigClients, .started, "set \(Self.denyClientRequest)=\(Self.reconfigAll) on \(source)")
        do throws(FailoverAdminError) {
            try await updateAppEnv(
                .set([Self.denyClientRequest: Self.reconfigAll], appName: table), on: plan.source,
                timeout: options.rpcTimeout)
        } catch {
            var failure = error
            failure.message =
                "\(error.message); the route is switched to \(plan.target.name) and writes on \(source) stay "
                + "blocked (\(Self.denyWrites)): set \(Self.denyClientRequest)=\(Self.reconfigAll) on \(source) "
                + "by hand so clients re-query now"
            throw await failed(failure, at: .reconfigClients, plan: plan, &record, options: options, report: report)
        }
        report(.reconfigClients, .done, "requests to \(source) answer ERR_INVALID_STATE; clients re-query the proxy")
        record.done.append(.reconfigClients)
        record.message = "completed"
        if let note = await settle(&record, .completed) {
            report(.reconfigClients, .progress, note)
        }
        return result
    }

    /// A safe point, then the record says `step` is running. Nothing of `step` is done when this throws.
    private func begin(
        _ step: PlannedStep,
        _ record: inout PlannedRecord,
        options: PlannedOptions,
        report: PlannedReport
    ) async throws(FailoverAdminError) {
        if let why = options.stopRequested() {
            record.step = step
            let note = await settle(&record, .interrupted, message: "\(why) before step \(step.rawValue)") ?? ""
            report(step, .interrupted, "\(why); stopped before this step\(note)")
            throw FailoverAdminError(
                .interrupted, table: record.table, path: paths.plannedRecord(of: record.table), step: step,
                message: "\(why); stopped before step \(step.rawValue) (done: \(Self.list(record.done)))"
                    + "\(note); \(record.nextAction)")
        }
        record.step = step
        record.state = .running
        record.message = nil
        record.updatedAt = clock()
        do throws(FailoverAdminError) {
            try await saveRecord(record)
        } catch {
            throw FailoverAdminError(
                .interrupted, table: record.table, path: paths.plannedRecord(of: record.table), step: step,
                message: "could not record step \(step.rawValue), so it was not started: \(error.message); "
                    + "when ZooKeeper is back, \(record.nextAction)")
        }
    }

    /// Ends the record in `state`; returns a note for people when the record could not be written.
    @discardableResult
    func settle(_ record: inout PlannedRecord, _ state: PlannedRecord.State, message: String? = nil) async -> String? {
        record.state = state
        if let message {
            record.message = message
        }
        record.updatedAt = clock()
        do throws(FailoverAdminError) {
            try await saveRecord(record)
            return nil
        } catch {
            return " (the record \(paths.plannedRecord(of: record.table)) could not be updated: \(error.message))"
        }
    }

    /// Handles a failed step: an interruption or an unknown outcome stops (record `interrupted`);
    /// in steps 2–4 what was changed is undone (record `rolled-back`, or `failed` when undoing
    /// failed); in steps 5–6 the record says `interrupted` (instances lag) or `failed`.
    private func failed(
        _ error: FailoverAdminError,
        at step: PlannedStep,
        plan: PlannedSwitchPlan,
        _ record: inout PlannedRecord,
        options: PlannedOptions,
        report: PlannedReport
    ) async -> FailoverAdminError {
        var failure = error
        failure.step = step
        if error.code == .interrupted || error.code == .lagging {
            let note = await settle(&record, .interrupted, message: error.message) ?? ""
            report(step, .interrupted, error.message + note)
            failure.message += "\(note); stopped at step \(step.rawValue), nothing undone; \(record.nextAction)"
            return failure
        }
        switch step {
        case .blockWrites, .drain, .switchRoute:
            failure = await rolledBack(failure, at: step, plan: plan, options: options, report: report)
            let undone = !failure.message.contains("ROLLBACK FAILED")
            let note = await settle(&record, undone ? .rolledBack : .failed, message: failure.message) ?? ""
            failure.message += note
            if !undone {
                failure.message += "; \(record.nextAction)"
            }
        case .check, .awaitInstances, .reconfigClients:
            let note = await settle(&record, .failed, message: failure.message) ?? ""
            failure.message += "\(note); \(record.nextAction)"
        }
        return failure
    }

    /// Whether `written` is what the node holds now: the route write whose reply `error` lost was applied.
    /// - Throws: ``FailoverAdminError/Code/interrupted`` when the node cannot be read back (the outcome
    ///   stays unknown: nothing may be undone).
    func routeWriteLanded(
        _ written: EffectiveRoute,
        table: String,
        error: FailoverAdminError
    ) async throws(FailoverAdminError) -> Bool {
        var last = error.message
        for attempt in 0..<Self.connectionLossRetries {
            do throws(FailoverAdminError) {
                let stored = try await storedRoute(table)
                guard let document = stored?.document else { return false }
                guard document.activeCluster == written.activeCluster, let mine = written.history.last,
                    let theirs = document.history.last
                else { return false }
                // Dates round-trip through JSON: compare them to the second.
                return mine.from == theirs.from && mine.to == theirs.to && mine.decidedBy == theirs.decidedBy
                    && mine.reason == theirs.reason && abs(mine.at.timeIntervalSince(theirs.at)) < 1
            } catch {
                last = error.message
                await Self.backOff(attempt)
            }
        }
        throw FailoverAdminError(
            .interrupted, table: table, path: paths.effectiveRoute(of: table), step: .switchRoute,
            message: "writing the route failed (\(error.message)) and reading it back failed too (\(last)): "
                + "whether \(table) is routed to \(written.activeCluster) is unknown")
    }

    /// The result of a route switch done by an earlier run (resume).
    private func switchedResult(_ plan: PlannedSwitchPlan) async throws(FailoverAdminError) -> SwitchResult {
        let table = plan.route.table
        guard let stored = try await storedRoute(table), stored.document.activeCluster == plan.target.name,
            let record = stored.document.history.last
        else {
            throw FailoverAdminError(
                .conflict, table: table, path: paths.effectiveRoute(of: table), step: .awaitInstances,
                message: "\(table) is no longer routed to \(plan.target.name): it was moved meanwhile")
        }
        return SwitchResult(route: plan.route, before: nil, after: stored.document, record: record)
    }

    /// Waits until every live instance routes `table` to `cluster`.
    func awaitInstances(
        _ table: String,
        routingTo cluster: String,
        options: PlannedOptions,
        report: PlannedReport
    ) async throws(FailoverAdminError) {
        guard !(fleet is NoFleetRegistry) else {
            report(.awaitInstances, .done, "no instance registry: instances follow the route through their ZooKeeper watch")
            return
        }
        report(.awaitInstances, .started, "waiting until every live instance routes \(table) to \(cluster)")
        let deadline = ContinuousClock.now + options.instancesTimeout
        try await poll(
            .awaitInstances, table: table, activity: "awaiting instances", deadline: deadline, options: options,
            report: report,
            timedOut: { last in
                FailoverAdminError(
                    .lagging, table: table, step: .awaitInstances,
                    message: "not every live instance routes \(table) to \(cluster) within "
                        + "\(PolicyDuration.format(options.instancesTimeout)) (\(last)); writes on the source stay blocked")
            }
        ) { () async throws(FailoverAdminError) -> PollLook in
            do {
                let lagging = try await fleet.instancesNotRouting(table: table, to: cluster).sorted()
                guard !lagging.isEmpty else { return .done("every live instance routes \(table) to \(cluster)") }
                return .waiting("instances not yet routing \(table) to \(cluster): \(lagging.joined(separator: ", "))")
            } catch {
                return .waiting("reading the instance registry failed: \(error)")
            }
        }
    }

    static func list(_ steps: [PlannedStep]) -> String {
        steps.isEmpty ? "none" : steps.map(\.rawValue).joined(separator: ", ")
    }
}
