import FailoverPolicy
import HealthProbe
import Logging
import PegasusWire
import RouteModel
import Router

/// The planned switchover (`failover switch --planned`): the table migrator's steps
/// (docs/pegasus-reference.md §13.1) against a live source cluster.
extension FailoverAdmin {
    /// Moves `table` to `target` without losing writes, while the cluster it is on is alive.
    ///
    /// 1. check: the source (the active cluster) duplicates the table to `target` with status
    ///    `DS_LOG`, not `FAIL_SKIP`, and per-partition lag can be read: from the duplication query's
    ///    `partition_states` (Pegasus 2.6+), else (2.4/2.5) from each primary ReplicaServer's
    ///    `/replica/duplication` through the admin's ``ReplicaLagReader``; `target` serves the table
    ///    and does not deny clients (`replica.deny_client_request`).
    /// 2. block-writes: `replica.deny_client_request=timeout*write` on the source.
    /// 3. drain: poll the duplication until every partition's lag is known and 0
    ///    (`partition_states`: `confirmed_decree == last_committed_decree`; replicas:
    ///    `not_confirmed_mutations_num == 0`), no sooner than ``PlannedOptions/settle`` after step 2,
    ///    at most ``PlannedOptions/maxWait``. An unknown lag (a primary not answering) keeps waiting.
    /// 4. switch-route: the effective route names `target` (mode `planned`, or `primary` when
    ///    `target` is the declared primary; trigger `planned`), compare-and-set. A ZooKeeper error
    ///    on the write is settled by reading the node back, never by a blind rollback.
    /// 5. await-instances: every live instance routes the table to `target`
    ///    (``FleetRouteAcknowledgements``), at most ``PlannedOptions/instancesTimeout``.
    /// 6. reconfig-clients: `replica.deny_client_request=reconfig*all` on the source.
    ///
    /// The whole run holds the table's planned lock (``FailoverPaths/plannedLock(of:)``) and records
    /// every step in ``PlannedRecord`` (``FailoverPaths/plannedRecord(of:)``) before doing it. A
    /// stop request (``PlannedOptions/stopRequested``) is honoured between steps and while draining:
    /// the record says `interrupted` at the step, nothing is undone, and
    /// ``resumePlanned(_:options:progress:)`` or ``abortPlanned(_:options:progress:)`` continue from
    /// there. A failure in steps 2–4 restores the source's env (the previous value, or none) and
    /// throws naming the step (record `rolled-back`). A failure in steps 5–6 leaves the route switched
    /// and writes on the source blocked (record `interrupted` or `failed`).
    /// - Parameters:
    ///   - table: The table.
    ///   - target: The cluster to move to: a declared backup, or the primary when on a backup.
    ///   - options: Timing.
    ///   - progress: Called for every step event, in order.
    /// - Throws: ``FailoverAdminError`` with ``FailoverAdminError/step`` set;
    ///   ``FailoverAdminError/Code/locked`` when another process runs a planned operation on the table;
    ///   ``FailoverAdminError/Code/interrupted`` when stopped at a safe point.
    public func plannedSwitch(
        _ table: String,
        to target: String,
        options: PlannedOptions = PlannedOptions(),
        progress: @escaping @Sendable (PlannedEvent) -> Void = { _ in }
    ) async throws(FailoverAdminError) -> SwitchResult {
        guard upstream != nil else {
            throw FailoverAdminError(
                .invalidArgument, table: table, step: .check, message: "a planned switch needs a MetaServer client")
        }
        let report = plannedReporter(table, progress)
        return try await withPlannedLock(table, action: "switch") { () async throws(FailoverAdminError) -> SwitchResult in
            if let (existing, _) = try await plannedRecord(table), !existing.state.isFinished {
                throw FailoverAdminError(
                    .interrupted, table: table, path: paths.plannedRecord(of: table), step: existing.step,
                    message: "a planned switchover of \(table) \(existing.from) → \(existing.to) by \(existing.by) "
                        + "is \(existing.state.rawValue) at step \(existing.step.rawValue); \(existing.nextAction)")
            }
            let plan = try await plannedCheck(table, target: target, options: options, report: report)
            let now = clock()
            let record = PlannedRecord(
                table: table, from: plan.source.name, to: plan.target.name, step: .blockWrites, done: [.check],
                state: .running, previousDenial: plan.previousDenial, by: identity, startedAt: now, updatedAt: now,
                message: nil)
            return try await runPlannedSteps(plan, record: record, options: options, report: report)
        }
    }

    /// The step reporter of a planned operation: a debug log line and `progress`.
    func plannedReporter(_ table: String, _ progress: @escaping @Sendable (PlannedEvent) -> Void) -> PlannedReport {
        let logger = logger
        return { step, kind, text in
            let event = PlannedEvent(step: step, kind: kind, text: text)
            logger.debug("planned switch step", metadata: [FailoverLoggingKeys.table: "\(table)", "failover.step": "\(event)"])
            progress(event)
        }
    }

    func plannedCheck(
        _ table: String,
        target: String,
        options: PlannedOptions,
        report: PlannedReport
    ) async throws(FailoverAdminError) -> PlannedSwitchPlan {
        func fail(_ message: String) -> FailoverAdminError {
            FailoverAdminError(.plannedStep, table: table, step: .check, message: message)
        }
        do throws(FailoverAdminError) {
            let route = try await declaredRoute(table)
            let active = try await storedRoute(table)?.document.activeCluster ?? route.primary.name
            report(.check, .started, "\(table) is on \(active); planning the move to \(target)")
            let names = route.clusters.map(\.name)
            guard let source = route.clusters.first(where: { $0.name == active }) else {
                throw fail("\(table) is routed to \(active), which its declared route no longer names")
            }
            guard let destination = route.clusters.first(where: { $0.name == target }) else {
                throw fail(
                    "\(target) is neither the primary nor a backup of table \(table) (clusters: \(names.joined(separator: ", ")))")
            }
            guard destination.name != source.name else {
                throw fail("table \(table) is already on \(target)")
            }
            let app = try await appInfo(table, on: source, timeout: options.rpcTimeout)
            let observation = try await duplication(
                table, plan: (source, destination, Int(app.partitionCount)), timeout: options.rpcTimeout)
            if let refusal = Self.undrainable(observation) {
                throw fail(refusal)
            }
            let served = try await appInfo(table, on: destination, timeout: options.rpcTimeout)
            if let denial = served.envs[Self.denyClientRequest] {
                throw fail(
                    "\(destination.name) has \(Self.denyClientRequest)=\(denial) on \(table): clients would be refused "
                        + "there after the switch; remove it first (a leftover of an earlier switch?)")
            }
            let previous = app.envs[Self.denyClientRequest]
            if let previous {
                report(
                    .check, .progress,
                    "\(source.name) already has \(Self.denyClientRequest)=\(previous); restored if the switch fails")
            }
            report(
                .check, .done,
                "\(Self.describe(observation)); \(destination.name) serves \(table) (\(served.partitionCount) partitions)")
            return PlannedSwitchPlan(
                route: route, source: source, target: destination, partitionCount: Int(app.partitionCount),
                lagSource: observation.lagSource, previousDenial: previous)
        } catch {
            var failure = error
            failure.step = .check
            throw failure
        }
    }

    /// One duplication observation of the plan's source → target.
    private func duplication(
        _ table: String,
        plan: (source: ClusterRoute, target: ClusterRoute, partitions: Int),
        timeout: Duration
    ) async throws(FailoverAdminError) -> DuplicationObservation {
        let report = try await duplications(table, on: plan.source, partitionCount: plan.partitions, timeout: timeout)
        return DuplicationObservation(
            primaryCluster: plan.source.name, table: table, backupCluster: plan.target.name, report: report,
            observedAt: clock())
    }

    /// Why the duplication cannot be drained and verified, or `nil`.
    static func undrainable(_ observation: DuplicationObservation) -> String? {
        let link = "\(observation.primaryCluster) → \(observation.backupCluster)"
        guard observation.dupid != nil, let status = observation.status else {
            return "table \(observation.table) has no duplication \(link)"
        }
        guard status == .log else {
            return "duplication \(link) is \(status.idlName), not DS_LOG: it does not ship writes"
        }
        guard observation.failMode != .skip else {
            return "duplication \(link) is FAIL_SKIP: it drops writes it cannot ship"
        }
        guard observation.lagUnknownReason != .noPartitionStates else {
            return "\(observation.primaryCluster) does not report per-partition duplication progress "
                + "(partition_states, Pegasus before 2.6) and no replica lag reader is configured to ask its "
                + "primary ReplicaServers: the drain cannot be verified"
        }
        return nil
    }

    /// `duplication A → B DS_LOG, lag … (from …)`.
    static func describe(_ observation: DuplicationObservation) -> String {
        let link = "duplication \(observation.primaryCluster) → \(observation.backupCluster)"
        let status = observation.status?.idlName ?? "absent"
        let source = observation.lagSource.map { " (from \(describe($0)))" } ?? ""
        guard let lag = observation.maxLag else {
            let partitions = observation.unknownLagPartitions.map(String.init).joined(separator: ",")
            let reason = observation.lagUnknownReason.map { ": \($0.rawValue)" } ?? ""
            return "\(link) \(status), lag unknown (partitions \(partitions)\(reason))\(source)"
        }
        return "\(link) \(status), max lag \(lag) decrees\(source)"
    }

    /// Where the lag is read, for people.
    static func describe(_ source: DuplicationObservation.LagSource) -> String {
        switch source {
        case .partitionStates:
            "the duplication query's partition_states"
        case .replicaHTTP:
            "the primary ReplicaServers' /replica/duplication"
        }
    }

    func drain(
        _ plan: PlannedSwitchPlan,
        blockedAt: ContinuousClock.Instant,
        options: PlannedOptions,
        report: PlannedReport
    ) async throws(FailoverAdminError) {
        let table = plan.route.table
        let deadline = blockedAt + options.maxWait
        let source = plan.lagSource.map { " as \(Self.describe($0)) report it" } ?? ""
        report(
            .drain, .started,
            "waiting until every partition's lag is 0\(source) (settle \(PolicyDuration.format(options.settle)), "
                + "at most \(PolicyDuration.format(options.maxWait)))")
        try await poll(
            .drain, table: table, activity: "draining", deadline: deadline, options: options, report: report,
            timedOut: { last in
                FailoverAdminError(
                    .plannedStep, table: table, step: .drain,
                    message: "duplication \(plan.source.name) → \(plan.target.name) not drained within "
                        + "\(PolicyDuration.format(options.maxWait)) (last: \(last))")
            }
        ) { () async throws(FailoverAdminError) -> PollLook in
            do throws(FailoverAdminError) {
                let observation = try await duplication(
                    table, plan: (plan.source, plan.target, plan.partitionCount), timeout: options.rpcTimeout)
                if let refusal = Self.undrainable(observation) {
                    throw FailoverAdminError(.plannedStep, table: table, step: .drain, message: refusal)
                }
                let text = Self.describe(observation)
                guard observation.maxLag == 0 else { return .waiting(text) }
                guard ContinuousClock.now - blockedAt < options.settle else {
                    return .done("\(text): every write is on \(plan.target.name)")
                }
                return .waiting(
                    text + "; holding until \(PolicyDuration.format(options.settle)) have passed since writes were blocked")
            } catch where error.code == .metaRPC {
                return .waiting("query failed: \(error.message)")
            }
        }
    }

    /// What one look of a polling step (drain, await-instances) found.
    enum PollLook {
        /// The step is done; the text is its `done` event.
        case done(String)
        /// Not yet; the text is reported as progress when it changed.
        case waiting(String)
    }

    /// Runs `look` every `options.pollInterval` until it is done: the stop request is checked before each
    /// look (``FailoverAdminError/Code/interrupted``, nothing undone), each new text is reported as
    /// progress, and past `deadline` `timedOut(last text)` is thrown.
    func poll(
        _ step: PlannedStep,
        table: String,
        activity: String,
        deadline: ContinuousClock.Instant,
        options: PlannedOptions,
        report: PlannedReport,
        timedOut: (_ last: String) -> FailoverAdminError,
        look: () async throws(FailoverAdminError) -> PollLook
    ) async throws(FailoverAdminError) {
        var last = ""
        while true {
            if let why = options.stopRequested() {
                throw FailoverAdminError(.interrupted, table: table, step: step, message: "\(why) while \(activity) (last: \(last))")
            }
            switch try await look() {
            case .done(let text):
                report(step, .done, text)
                return
            case .waiting(let text) where text != last:
                report(step, .progress, text)
                last = text
            case .waiting:
                break
            }
            let now = ContinuousClock.now
            guard now < deadline else { throw timedOut(last) }
            do {
                try await Task.sleep(for: min(options.pollInterval, deadline - now))
            } catch {
                throw FailoverAdminError(.interrupted, table: table, step: step, message: "cancelled while \(activity)")
            }
        }
    }

    func switchPlannedRoute(
        _ plan: PlannedSwitchPlan,
        report: PlannedReport
    ) async throws(FailoverAdminError) -> SwitchResult {
        let table = plan.route.table
        report(.switchRoute, .started, "route \(table) to \(plan.target.name)")
        do throws(FailoverAdminError) {
            let stored = try await storedRoute(table)
            let active = stored?.document.activeCluster ?? plan.route.primary.name
            guard active == plan.source.name else {
                throw FailoverAdminError(
                    .conflict, table: table, path: paths.effectiveRoute(of: table),
                    message: "\(table) was moved to \(active) meanwhile; nothing written")
            }
            let now = clock()
            let record = DecisionRecord(
                table: table,
                from: plan.source.name,
                to: plan.target.name,
                reason: DecisionReason(
                    Self.plannedSwitchover,
                    "planned switchover \(plan.source.name) → \(plan.target.name): writes blocked on "
                        + "\(plan.source.name), duplication drained (lag 0)"),
                at: now,
                decidedBy: operatorName,
                lagDecrees: 0,
                trigger: .planned
            )
            let mode: EffectiveRoute.Mode = plan.target.name == plan.route.primary.name ? .primary : .planned
            var after = stored?.document ?? initialDocument(plan.route, now: now)
            after.apply(record, mode: mode, historyLimit: historyLimit)
            do throws(FailoverAdminError) {
                try await write(after, expecting: stored?.version)
            } catch where error.code == .zooKeeper {
                // The write may have been applied before its reply was lost: read back, never roll back blindly.
                guard try await routeWriteLanded(after, table: table, error: error) else {
                    throw error
                }
                report(.switchRoute, .progress, "the write's reply was lost (\(error.message)); read back: it was applied")
            }
            report(.switchRoute, .done, "\(table) is routed to \(plan.target.name) (mode \(mode.rawValue))")
            return SwitchResult(route: plan.route, before: stored?.document, after: after, record: record)
        } catch {
            var failure = error
            failure.step = .switchRoute
            throw failure
        }
    }

    /// Restores the source's env after a failure at `step`, and returns the error to throw.
    func rolledBack(
        _ error: FailoverAdminError,
        at step: PlannedStep,
        plan: PlannedSwitchPlan,
        options: PlannedOptions,
        report: PlannedReport
    ) async -> FailoverAdminError {
        var failure = error
        failure.step = step
        let table = plan.route.table
        let request: UpdateAppEnvRequest
        let undo: String
        if let previous = plan.previousDenial {
            request = .set([Self.denyClientRequest: previous], appName: table)
            undo = "restored \(Self.denyClientRequest)=\(previous) on \(plan.source.name)"
        } else {
            request = .delete([Self.denyClientRequest], appName: table)
            undo = "deleted \(Self.denyClientRequest) on \(plan.source.name)"
        }
        do throws(FailoverAdminError) {
            try await updateAppEnv(request, on: plan.source, timeout: options.rpcTimeout)
            report(.blockWrites, .rolledBack, "\(undo); writes are accepted again")
            failure.message += "; rolled back: \(undo)"
        } catch {
            report(.blockWrites, .rollbackFailed, "\(error.message)")
            failure.message +=
                "; ROLLBACK FAILED (\(error.message)): writes on \(plan.source.name) stay blocked until "
                + "\(Self.denyClientRequest) is removed by hand"
        }
        return failure
    }
}
