import FailoverPolicy
import HealthProbe
import Logging
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs on every instance; decides on the elected one.
///
/// Every tick (the smallest probe interval of the tables with backups, at least
/// ``Settings/minimumTick``) it points the ``HealthProber`` at the clusters of every table with
/// backups (``ProbeTargetPlanner``), has the state store follow those tables, and, once a second,
/// reloads changed policy files. On the decider
/// (``DeciderElection``; always, without one) it then decides for each of those tables: it builds the
/// table's ``DecisionInput`` from the prober's snapshot, the stored ``EffectiveRoute`` and the pause
/// flags, asks the table's policy, and writes switches with compare-and-set through the
/// ``FailoverStateStore``. Refusals are logged and counted once per episode (when the reason code
/// changes). It also publishes the prober's snapshot through the ``HealthPublisher``, if any, and
/// persists known duplication lags through the ``PersistedLagStore`` (which also fills a lag it does
/// not know live, e.g. when elected after the primary died).
///
/// With an election, every write as decider is fenced by its election node (``DeciderFence``): a
/// rejected write is logged (`failover.reason_code=fenced`), counted
/// (`metaproxy_failover_fenced_writes_total`) and makes the instance stop deciding until the election
/// names it again (``DeciderElection/fenced()``).
///
/// A `Service`: ``run()`` takes part in the election and ticks until shutdown.
public final class FailoverDecider: Service, Sendable {
    /// Timing and identity.
    public struct Settings: Sendable {
        /// This instance's id, written as `decided_by`.
        public var instanceID: String
        /// The bound of each document's history (`failover.history_size`).
        public var historyLimit: Int
        /// The shortest tick.
        public var minimumTick: Duration
        /// The tick while no table has backups.
        public var idleTick: Duration
        /// How often the policy directory is checked for changes.
        public var policyReloadInterval: Duration

        /// Creates settings.
        public init(
            instanceID: String,
            historyLimit: Int = EffectiveRoute.defaultHistoryLimit,
            minimumTick: Duration = .milliseconds(200),
            idleTick: Duration = .seconds(1),
            policyReloadInterval: Duration = .seconds(1)
        ) {
            self.instanceID = instanceID
            self.historyLimit = historyLimit
            self.minimumTick = minimumTick
            self.idleTick = idleTick
            self.policyReloadInterval = policyReloadInterval
        }
    }

    private struct State {
        var refusals = RefusalTracker()
        var targets: [ProbeTarget] = []
        var protectedTables: [String] = []
        var malformed: Set<String> = []
        /// Whether the prober was last told to read duplications; `nil` before the first tick.
        var readingDuplications: Bool?
    }

    /// Timing and identity.
    public let settings: Settings
    private let store: any FailoverStateStore
    private let catalog: any RouteStore
    private let prober: HealthProber
    private let policies: PolicyStore
    private let election: DeciderElection?
    private let healthPublisher: HealthPublisher?
    private let observerSource: (any ObserverSource)?
    private let lagStore: PersistedLagStore?
    private let zooKeeperClock: ZooKeeperClock?
    private let metrics: FailoverMetrics
    private let hooks: FailoverHooks?
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a decider.
    /// - Parameters:
    ///   - settings: Timing and identity.
    ///   - store: Where effective routes are read and written.
    ///   - catalog: The declared routes to decide for: on ZooKeeper the protected tables (the
    ///     protected-table index, ``RouteCatalogLoader``), else every route of the routes file.
    ///   - prober: The health prober (run it as a service too).
    ///   - policies: The policy directory.
    ///   - election: The decider election; `nil` = this instance always decides (no ZooKeeper).
    ///   - healthPublisher: Publishes the prober's snapshot while deciding; `nil` for none.
    ///   - lagStore: Persists known duplication lags and fills unknown ones from them; `nil` for none.
    ///   - metrics: Decision counters and the decider gauge.
    ///   - hooks: Told every written decision and every new refusal episode; `nil` for none.
    ///   - logger: Decisions at info, refusals at warning.
    ///   - observerSource: The observer views (``ObserverReader``); `nil` = this instance alone.
    ///   - zooKeeperClock: ZooKeeper's time as this instance's writes see it; with it, the last switch of
    ///     a table is dated by its node's `mtime`, not by the clock of the host that wrote it.
    init(
        settings: Settings,
        store: any FailoverStateStore,
        catalog: any RouteStore,
        prober: HealthProber,
        policies: PolicyStore,
        election: DeciderElection?,
        healthPublisher: HealthPublisher?,
        lagStore: PersistedLagStore? = nil,
        zooKeeperClock: ZooKeeperClock? = nil,
        metrics: FailoverMetrics,
        hooks: FailoverHooks? = nil,
        logger: Logger,
        observerSource: (any ObserverSource)? = nil
    ) {
        self.observerSource = observerSource
        self.lagStore = lagStore
        self.zooKeeperClock = zooKeeperClock
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.prober = prober
        self.policies = policies
        self.election = election
        self.healthPublisher = healthPublisher
        self.metrics = metrics
        self.hooks = hooks
        var logger = logger
        logger[metadataKey: FailoverLoggingKeys.decider] = "\(settings.instanceID)"
        self.logger = logger
    }

    /// Whether this instance decides now.
    public var isDecider: Bool {
        election?.isDecider ?? true
    }

    /// The last refusal of each table this instance refused as decider, sorted by table.
    public func refusals() -> [FailoverRefusal] {
        state.withLock { $0.refusals.records.values.sorted { $0.table < $1.table } }
    }

    /// The tables with backups at the last tick, sorted.
    public func protectedTables() -> [String] {
        state.withLock { $0.protectedTables }
    }

    /// The least pause between two ticks, however long the last one took.
    static let minimumPause: Duration = .milliseconds(20)

    /// Takes part in the election (if any) and ticks until graceful shutdown or cancellation.
    public func run() async throws {
        if election == nil {
            metrics.isDecider(true)
        }
        await withDiscardingTaskGroup { group in
            if let election {
                group.addTask { await election.run() }
            }
            group.addTask {
                await cancelWhenGracefulShutdown { await self.tickLoop() }
            }
            if let hooks {
                group.addTask {
                    await cancelWhenGracefulShutdown { await hooks.run() }
                }
            }
        }
    }

    private func tickLoop() async {
        let clock = ContinuousClock()
        var lastPolicyCheck = clock.now
        while !Task.isCancelled {
            if clock.now - lastPolicyCheck >= settings.policyReloadInterval {
                lastPolicyCheck = clock.now
                policies.reloadIfChanged()
            }
            let started = clock.now
            let pause = await tick(now: Date())
            // Ticks start `pause` apart: a tick that took long (many tables, a slow ZooKeeper) is not
            // followed by a whole pause more.
            do {
                try await Task.sleep(until: max(started + pause, clock.now + Self.minimumPause), clock: clock)
            } catch {
                return
            }
        }
    }

    /// One round: probe targets, then (on the decider) a decision per table and the health node.
    /// - Returns: The pause until the next round.
    func tick(now: Date) async -> Duration {
        let routes = catalog.allCachedRoutes().filter { !$0.backups.isEmpty }
        let policySet = policies.current
        let targets = ProbeTargetPlanner.targets(for: routes, policies: policySet)
        let targetsChanged = state.withLock { state -> Bool in
            state.protectedTables = routes.map(\.table)
            guard state.targets != targets else { return false }
            state.targets = targets
            return true
        }
        if targetsChanged {
            prober.setTargets(targets)
        }
        // Every instance follows the tables with backups, so routing is right from their first query.
        store.track(routes.map(\.table))
        // Per-table duplication reads happen at the decider only; the others read its published ones.
        // A new decider starts from the observations its predecessor published.
        let deciding = isDecider
        let readsChanged = state.withLock { state -> Bool in
            guard state.readingDuplications != deciding else { return false }
            state.readingDuplications = deciding
            return true
        }
        if readsChanged {
            prober.setDuplicationReads(enabled: deciding)
            if deciding, let published = await healthPublisher?.readPublished() {
                let seeded = prober.seed(observations: published.duplications)
                logger.info(
                    "Deciding: duplication observations seeded from the published health node",
                    metadata: [FailoverLoggingKeys.seededObservations: "\(seeded)"])
            }
        }
        let pause = ProbeTargetPlanner.tickInterval(
            for: routes,
            policies: policySet,
            floor: settings.minimumTick,
            idle: settings.idleTick
        )
        guard isDecider else { return pause }
        let started = ContinuousClock.now
        defer { metrics.deciderTick(ContinuousClock.now - started) }
        let snapshot = prober.snapshot()
        await observerSource?.refreshIfDue()
        let observers = observerSource?.observerViews(own: snapshot, now: now) ?? [:]
        let builder = DecisionInputBuilder(snapshot: snapshot, observers: observers)
        let globallyPaused = store.isGloballyPaused
        var decisions: [PendingDecision] = []
        for route in routes where isDecider {
            if let decision = await decide(
                route, policy: policySet.policy(for: route.table), builder, globallyPaused, snapshot: snapshot, now: now)
            {
                decisions.append(decision)
            }
        }
        // Every switch of the tick in few fenced multi-ops: 500 tables leaving a dead primary are not
        // 500 ZooKeeper round trips in a row.
        await write(decisions)
        if isDecider, let healthPublisher {
            let fence = election?.fence()
            if election == nil || fence != nil, await healthPublisher.publishIfDue(snapshot, now: now, fence: fence) {
                let error = FailoverStateError(
                    code: .fenced, table: "-", path: "health", detail: "election node \(fence?.electionNode ?? "-") is gone")
                fenced(error, node: .health, metadata: [:])
            }
        }
        if isDecider {
            await persistLag(snapshot, routes: routes, now: now)
        }
        return pause
    }

    /// A switch decided this tick, waiting for the tick's batched write.
    private struct PendingDecision {
        var next: EffectiveRoute
        var expectation: FailoverWriteExpectation
        var record: DecisionRecord
        var policy: Policy
        var kind: FailoverMetrics.DecisionKind
        var observers: [String: Int]?
    }

    /// Decides for one table; returns the switch to write, if any.
    private func decide(
        _ route: Route,
        policy: Policy,
        _ builder: DecisionInputBuilder,
        _ globallyPaused: Bool,
        snapshot: HealthSnapshot,
        now: Date
    ) async -> PendingDecision? {
        let document: EffectiveRoute?
        let expectation: FailoverWriteExpectation
        switch store.state(of: route.table) {
        case .unknown:
            return nil
        case .absent:
            (document, expectation) = (nil, .absent)
        case .present(let stored, let version):
            (document, expectation) = (stored, .version(version))
        case .malformed(_, let error, _):
            if state.withLock({ $0.malformed.insert(route.table).inserted }) {
                logger.warning(
                    "Not deciding for a table whose effective route node is malformed",
                    metadata: [FailoverLoggingKeys.table: "\(route.table)", FailoverLoggingKeys.error: "\(error)"]
                )
            }
            return nil
        }
        state.withLock { _ = $0.malformed.remove(route.table) }
        var input = builder.input(for: route, document: document, globallyPaused: globallyPaused, now: now)
        input.current = onThisHostsClock(input.current, table: route.table, now: now)
        if let lagStore {
            input = await lagStore.filling(input, route: route, live: builder.liveLinks)
        }
        let decision = policy.decide(input)
        switch decision {
        case .keep:
            state.withLock { $0.refusals.notRefused(table: route.table) }
            return nil
        case .refuse(let reason):
            refused(route.table, input: input, reason: reason, policy: policy)
            return nil
        case .switchTo, .switchBack:
            state.withLock { $0.refusals.notRefused(table: route.table) }
            guard var record = DecisionRecord(decision: decision, input: input, decidedBy: settings.instanceID, trigger: .automatic)
            else { return nil }
            record.name(policy)
            var next =
                document
                ?? EffectiveRoute(
                    table: route.table,
                    activeCluster: route.primary.name,
                    reason: record.reason,
                    since: now,
                    decidedBy: settings.instanceID,
                    mode: .primary
                )
            let isBack = record.to == route.primary.name
            next.apply(record, mode: isBack ? .primary : .failover, historyLimit: settings.historyLimit)
            return PendingDecision(
                next: next, expectation: expectation, record: record, policy: policy, kind: isBack ? .switchBack : .switchTo,
                observers: Self.observerCounts(input))
        }
    }

    private func refused(_ table: String, input: DecisionInput, reason: DecisionReason, policy: Policy) {
        let isNew = state.withLock {
            $0.refusals.refused(
                table: table,
                cluster: input.effectiveCluster,
                reason: reason,
                policy: policy.name,
                at: input.now
            )
        }
        guard isNew else { return }
        metrics.decided(table: table, kind: .refuse)
        metrics.refused(table: table, reason: "\(reason.code)")
        logger.warning(
            "Failover switch refused",
            metadata: [
                FailoverLoggingKeys.table: "\(table)",
                FailoverLoggingKeys.from: "\(input.effectiveCluster)",
                FailoverLoggingKeys.to: "-",
                FailoverLoggingKeys.reasonCode: "\(reason.code)",
                FailoverLoggingKeys.reason: "\(reason.text)",
                FailoverLoggingKeys.lag: "\(Self.lagText(input))",
                FailoverLoggingKeys.policy: "\(policy.name)",
            ]
        )
        hooks?.notify(
            FailoverHookEvent(
                event: .refusal, table: table, from: input.effectiveCluster, to: nil, reason: reason,
                observers: Self.observerCounts(input), lagDecrees: Self.lagValue(input), policy: policy.name,
                policyHash: policy.fileHash, decidedBy: settings.instanceID, time: input.now))
    }

    /// Writes the tick's switches as one batch (``FailoverStateStore/write(batch:fence:)``), fenced by
    /// this instance's election node (with an election): a decider paused past its session cannot write
    /// once another instance was elected. Each written switch is counted, announced to the hooks and
    /// logged; a conflict is decided again next tick; a fenced batch stops this instance deciding.
    private func write(_ decisions: [PendingDecision]) async {
        guard !decisions.isEmpty else { return }
        // Leadership may have been lost while deciding: a former decider must not write.
        guard isDecider else { return }
        let fence = election?.fence()
        if election != nil, fence == nil {
            return
        }
        let results = await store.write(
            batch: decisions.map { FailoverStateWrite(route: $0.next, expecting: $0.expectation) }, fence: fence)
        var fencedOnce = false
        for (decision, result) in zip(decisions, results) {
            let record = decision.record
            var metadata: Logger.Metadata = [
                FailoverLoggingKeys.table: "\(record.table)",
                FailoverLoggingKeys.from: "\(record.from)",
                FailoverLoggingKeys.to: "\(record.to)",
                FailoverLoggingKeys.reasonCode: "\(record.reason.code)",
                FailoverLoggingKeys.reason: "\(record.reason.text)",
                FailoverLoggingKeys.lag: "\(record.lagDecrees.map { "\($0)" } ?? "unknown")",
                FailoverLoggingKeys.policy: "\(decision.policy.name)",
            ]
            switch result {
            case .success:
                announce(decision, metadata: metadata)
            case .failure(let error):
                metadata[FailoverLoggingKeys.error] = "\(error)"
                if error.code == .fenced {
                    // One rejected batch is one fenced write: counted and logged once.
                    if !fencedOnce {
                        fencedOnce = true
                        fenced(error, node: .effectiveRoute, metadata: metadata)
                    }
                } else if error.code == .conflict {
                    logger.debug("Effective route changed meanwhile; deciding again next tick", metadata: metadata)
                } else {
                    logger.warning("Writing a failover decision failed; deciding again next tick", metadata: metadata)
                }
            }
        }
    }

    /// A written switch: counted, told to the hooks, logged.
    private func announce(_ decision: PendingDecision, metadata: Logger.Metadata) {
        let record = decision.record
        let kind = decision.kind
        metrics.decided(table: record.table, kind: kind)
        hooks?.notify(
            FailoverHookEvent(
                event: kind == .switchBack ? .switchBack : .switchTo, table: record.table, from: record.from,
                to: record.to, reason: record.reason, observers: decision.observers, lagDecrees: record.lagDecrees,
                policy: decision.policy.name, policyHash: decision.policy.fileHash, decidedBy: record.decidedBy,
                time: record.at))
        logger.notice(
            kind == .switchBack ? "Failover: switched back to the primary" : "Failover: switched to a backup",
            metadata: metadata
        )
    }

    /// `lastSwitchAt` of a document another host may have written, re-dated on this host's clock from
    /// the node's ZooKeeper `mtime`: at or after the switch (a later write, e.g. a pause, only makes
    /// the cooldown longer), and never cut short or stretched by the writer's wall clock. Unchanged
    /// without ZooKeeper times (routes file; this host wrote it and the watch has not re-read it).
    private func onThisHostsClock(_ current: EffectiveState, table: String, now: Date) -> EffectiveState {
        guard current.lastSwitchAt != nil, let clock = zooKeeperClock, clock.isAnchored,
            let modified = store.modifiedAt(of: table)
        else { return current }
        var dated = current
        dated.lastSwitchAt = Self.date(zooKeeperTime: modified, clock: clock, now: now)
        return dated
    }

    /// The local date of ZooKeeper time `milliseconds`, from ZooKeeper's time now (``ZooKeeperClock``).
    static func date(zooKeeperTime milliseconds: Int64, clock: ZooKeeperClock, now: Date) -> Date {
        now.addingTimeInterval(-Double(max(clock.now() - milliseconds, 0)) / 1000)
    }

    /// What the live observers see of the table's effective cluster, for hook payloads
    /// (`{"live": n, "down": n, "up": n}`); `nil` without observer views.
    private static func observerCounts(_ input: DecisionInput) -> [String: Int]? {
        guard let view = input.observers[input.effectiveCluster] else { return nil }
        return ["live": view.live, "down": view.down, "up": view.up]
    }

    /// Persists the known duplication lags (fenced like decisions).
    private func persistLag(_ snapshot: HealthSnapshot, routes: [Route], now: Date) async {
        guard let lagStore else { return }
        let fence = election?.fence()
        guard election == nil || fence != nil else { return }
        do throws(FailoverStateError) {
            try await lagStore.record(snapshot, routes: routes, fence: fence, now: now)
        } catch {
            fenced(error, node: .lag, metadata: [FailoverLoggingKeys.table: "\(error.table)"])
        }
    }

    /// A fenced write was rejected: log, count, and stop deciding until the election says otherwise.
    func fenced(_ error: FailoverStateError, node: StateWriteFailures.Node, metadata: Logger.Metadata) {
        var metadata = metadata
        metadata[FailoverLoggingKeys.reasonCode] = "fenced"
        metadata[FailoverLoggingKeys.reason] = "this instance's decider election node is gone; another instance may decide"
        metadata[FailoverLoggingKeys.error] = "\(error)"
        metadata[FailoverLoggingKeys.stateNode] = "\(node)"
        metrics.fencedWrite(node: node.description)
        logger.warning("Decider write rejected by its fence; this instance stops deciding", metadata: metadata)
        election?.fenced()
    }

    /// The largest known lag towards any backup, for refusal logs.
    private static func lagText(_ input: DecisionInput) -> String {
        lagValue(input).map { "\($0)" } ?? "unknown"
    }

    /// The largest known lag towards any backup.
    private static func lagValue(_ input: DecisionInput) -> Int? {
        input.backups.compactMap { input.duplications[$0]?.maxLagDecrees }.max()
    }
}
