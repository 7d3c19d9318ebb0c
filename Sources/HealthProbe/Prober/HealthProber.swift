import Logging
import Metrics
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Watches every primary and backup cluster: per-MetaServer and per-cluster rise/fall health, leader,
/// bounded history, and the duplication state of protected tables
/// (docs/pegasus-reference.md §10, §11.3, §12.4).
///
/// Each cluster is probed once per ``ProbeTarget/Settings/interval``, whatever the number of tables routed
/// to it: `GET /version` on every MetaServer, `GET /meta/cluster` for the leader, plus the injected
/// ``RPCHealthProbe`` on ``ProbeTarget/rpcTable`` if any. Clusters are probed concurrently; the number
/// of HTTP transfers in flight is bounded by the ``CurlHTTPClient``'s thread pool, and each cluster has
/// at most one round in flight: a constant number of requests per cluster per interval, whatever the
/// number of tables. While a cluster is up and duplication reads are enabled
/// (``setDuplicationReads(enabled:)``: on the decider only), each of its protected tables is asked for
/// its duplications once every ``ProbeTarget/Settings/duplicationInterval``, the reads spread evenly
/// over the interval rather than in a burst, each started at its time whatever the previous one's
/// answer time (at most ``maximumDuplicationReadsInFlight`` per cluster); the last good observation is
/// kept when the cluster goes down. Durations (up/down since, observation ages) are measured on `ContinuousClock` and turned into
/// `Date`s only in snapshots.
///
/// A `Service`: ``run()`` runs the probe loops until cancelled or gracefully shut down. Call
/// ``setTargets(_:)`` at any time, before or while it runs.
public final class HealthProber: Service, Sendable {
    private enum Command: Sendable {
        case start(cluster: String, generation: UInt64)
    }

    private let state: Mutex<ProberState>
    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation
    private let runner: ClusterRoundRunner
    private let duplicationSource: any DuplicationSource
    private let rules: ClusterHealthRules
    private let metrics: ProbeMetrics
    private let logger: Logger

    /// The smallest pause between two rounds, so a misconfigured interval of `0` cannot spin.
    private static let minimumInterval = Duration.milliseconds(10)

    /// Creates a prober with no targets.
    /// - Parameters:
    ///   - httpClient: The client for every HTTP probe.
    ///   - rpcProbe: The RPC probe used for targets with an ``ProbeTarget/rpcTable``; `nil` for HTTP only.
    ///   - duplicationSource: Where duplications are read; `nil` uses ``HTTPDuplicationSource``.
    ///   - rules: How a round becomes a verdict.
    ///   - historyLimit: Verdicts and transitions kept per cluster.
    ///   - metricsFactory: The metrics backend (tests pass a `TestMetrics`).
    ///   - logger: Probe results are logged at debug, cluster transitions at info.
    public init(
        httpClient: CurlHTTPClient,
        rpcProbe: (any RPCHealthProbe)? = nil,
        duplicationSource: (any DuplicationSource)? = nil,
        rules: ClusterHealthRules = ClusterHealthRules(),
        historyLimit: Int = 32,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.state = Mutex(ProberState(historyLimit: historyLimit))
        (self.commands, self.commandSink) = AsyncStream.makeStream(of: Command.self)
        self.runner = ClusterRoundRunner(client: httpClient, rpcProbe: rpcProbe)
        self.duplicationSource = duplicationSource ?? HTTPDuplicationSource(client: httpClient)
        self.rules = rules
        self.metrics = ProbeMetrics(factory: metricsFactory)
        self.logger = logger
    }

    /// Replaces the set of clusters to watch.
    ///
    /// New clusters start probing at once. Clusters that stay keep their health and history, and
    /// their new settings apply from their next round. Removed clusters are forgotten (their metrics
    /// are destroyed), and so are duplication observations of tables no longer protected. If two
    /// targets share a cluster name, the last wins.
    /// - Parameter targets: The clusters.
    public func setTargets(_ targets: [ProbeTarget]) {
        let update = self.state.withLock { $0.setTargets(targets) }
        for cluster in update.removedClusters {
            self.metrics.forget(cluster: cluster)
        }
        for (cluster, meta) in update.removedMetas {
            self.metrics.forget(cluster: cluster, meta: meta)
        }
        for (cluster, generation) in update.started {
            self.commandSink.yield(.start(cluster: cluster, generation: generation))
        }
    }

    /// Runs the probe loops until the task is cancelled or a graceful shutdown is triggered, then
    /// finishes every ``changes()`` stream. Call once; a second call returns at once.
    public func run() async throws {
        guard self.state.withLock({ $0.markRunning() }) else {
            self.logger.debug("health prober already running")
            return
        }
        self.logger.info("health prober started")
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await command in self.commands {
                    switch command {
                    case .start(let cluster, let generation):
                        group.addTask {
                            await self.clusterLoops(cluster: cluster, generation: generation)
                        }
                    }
                }
                group.cancelAll()
            }
        }
        for subscriber in self.state.withLock({ $0.takeSubscribers() }) {
            subscriber.finish()
        }
        self.logger.info("health prober stopped")
    }

    /// A copy of all health and duplication state.
    /// - Parameter transitionWindow: How far back `recentTransitions` reaches. Default 60 s.
    /// - Returns: The snapshot.
    public func snapshot(transitionWindow: Duration = .seconds(60)) -> HealthSnapshot {
        let now = Date()
        let instant = ContinuousClock().now
        return self.state.withLock { $0.snapshot(at: now, instant: instant, window: transitionWindow) }
    }

    /// Adds duplication observations made by another instance (the previous decider's, as it
    /// published them) for the protected duplications this prober has not observed itself, keeping
    /// their observation times; its own observations always win.
    /// - Parameter observations: The observations.
    /// - Returns: How many were added.
    @discardableResult
    public func seed(observations: [DuplicationObservation]) -> Int {
        let now = Date()
        let instant = ContinuousClock().now
        return self.state.withLock { $0.seed(observations, now: now, instant: instant) }
    }

    /// Turns this instance's per-table duplication reads on or off. The decider reads them; the other
    /// instances leave them to it (and read its published observations when they need them), so the
    /// MetaServers see one reader per table, not one per instance. On by default.
    /// - Parameter enabled: Whether to read.
    public func setDuplicationReads(enabled: Bool) {
        self.state.withLock { $0.setDuplicationReads(enabled: enabled) }
    }

    /// The bounded verdict and transition history of one cluster.
    /// - Parameter cluster: The cluster name.
    /// - Returns: The history, or `nil` when the cluster is not a target.
    public func history(cluster: String) -> ClusterHistory? {
        self.state.withLock { $0.clusters[cluster]?.history }
    }

    /// The last good duplication observation of `table` on `primary` towards `backup`.
    /// - Parameters:
    ///   - primary: The primary cluster name.
    ///   - table: The table on the primary.
    ///   - backup: The backup cluster name.
    /// - Returns: The observation, kept even while the primary is down; `nil` if none was made.
    public func duplicationObservation(primary: String, table: String, backup: String) -> DuplicationObservation? {
        self.state.withLock { $0.observation(cluster: primary, table: table, backup: backup) }
    }

    /// Cluster state transitions from now on, for the failover decider. Each call returns a new
    /// stream; it ends when ``run()`` ends. The newest 1024 undelivered changes are buffered.
    /// - Returns: The stream of transitions.
    public func changes() -> AsyncStream<ClusterStateChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ClusterStateChange.self,
            bufferingPolicy: .bufferingNewest(1024)
        )
        let id = self.state.withLock { $0.addSubscriber(continuation) }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { $0.removeSubscriber(id) }
        }
        return stream
    }

    /// The health loop and the duplication loop of one cluster incarnation.
    private func clusterLoops(cluster: String, generation: UInt64) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.healthLoop(cluster: cluster, generation: generation) }
            group.addTask { await self.duplicationLoop(cluster: cluster, generation: generation) }
        }
    }

    /// One probe round per interval, applied to the shared state.
    private func healthLoop(cluster: String, generation: UInt64) async {
        await self.repeatRounds(cluster: cluster, generation: generation) { context in
            let settings = context.target.settings
            let round = await self.runner.run(
                cluster: cluster,
                metas: context.orderedMetas,
                timeout: settings.timeout,
                rpcTable: context.target.rpcTable
            )
            let verdict = self.rules.verdict(for: round)
            let instant = ContinuousClock().now
            let now = Date()
            let effects = self.state.withLock {
                $0.apply(round: round, verdict: verdict, cluster: cluster, generation: generation, at: instant, wall: now)
            }
            guard let effects else { return nil }
            self.perform(effects, round: round, verdict: verdict)
            return settings.interval
        }
    }

    /// While the cluster is up and reads are enabled, asks each protected table's duplications once
    /// per duplication interval, table `i` of `n` at `i/n` of the interval (never a burst); otherwise
    /// checks again every probe interval.
    private func duplicationLoop(cluster: String, generation: UInt64) async {
        let clock = ContinuousClock()
        await self.repeatRounds(cluster: cluster, generation: generation) { context in
            let settings = context.target.settings
            let enabled = self.state.withLock { $0.duplicationReadsEnabled }
            guard enabled, context.status == .up, !context.target.protectedTables.isEmpty else {
                return settings.interval
            }
            let interval = settings.duplicationInterval ?? settings.interval
            let tables = context.target.protectedTables.keys.sorted()
            let start = clock.now
            let spacing = interval / tables.count
            var due: [String: ContinuousClock.Instant] = [:]
            for (index, table) in tables.enumerated() {
                due[table] = start + spacing * index
            }
            self.state.withLock {
                $0.scheduleDuplications(cluster: cluster, generation: generation, due: due, nextRound: start + interval)
            }
            // Each read starts at its due time without waiting for the previous one to answer (at most
            // `maximumDuplicationReadsInFlight` at once): with many tables, reads answered slower than
            // their spacing would otherwise stretch the round far beyond the interval, and the lag
            // observations the guard needs would age past `max_lag_age`.
            let ended = await withTaskGroup(of: Void.self, returning: Bool.self) { group in
                var inFlight = 0
                for (index, table) in tables.enumerated() where !Task.isCancelled {
                    do {
                        try await Task.sleep(until: start + spacing * index, clock: clock)
                    } catch {
                        return true
                    }
                    // Stop mid-round when this instance stops deciding or the cluster goes down.
                    let current = self.state.withLock { state in
                        (state.duplicationReadsEnabled, state.loopContext(cluster: cluster, generation: generation))
                    }
                    guard let now = current.1 else { return true }
                    guard current.0, now.status == .up else { break }
                    if inFlight >= Self.maximumDuplicationReadsInFlight {
                        await group.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    group.addTask {
                        await self.observeDuplications(cluster: cluster, generation: generation, table: table, now)
                    }
                }
                await group.waitForAll()
                return false
            }
            return ended ? nil : interval
        }
    }

    /// The most duplication reads of one cluster waiting for their answers at once.
    static let maximumDuplicationReadsInFlight = 4

    /// Runs `step` with the cluster's current context, then sleeps until the pause it returns has
    /// passed since the step started. Ends when the task is cancelled, the cluster's generation is
    /// gone, or `step` returns `nil`.
    private func repeatRounds(
        cluster: String,
        generation: UInt64,
        _ step: (ProberState.LoopContext) async -> Duration?
    ) async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            guard let context = self.state.withLock({ $0.loopContext(cluster: cluster, generation: generation) })
            else { return }
            let started = clock.now
            guard let pause = await step(context) else { return }
            do {
                try await Task.sleep(until: max(started + pause, clock.now + Self.minimumInterval), clock: clock)
            } catch {
                return
            }
        }
    }

    private func observeDuplications(
        cluster: String,
        generation: UInt64,
        table: String,
        _ context: ProberState.LoopContext
    ) async {
        let outcome = await self.duplicationSource.queryDuplications(
            cluster: cluster,
            metas: context.orderedMetas,
            table: table,
            timeout: context.target.settings.timeout
        )
        let instant = ContinuousClock().now
        let now = Date()
        _ = self.state.withLock {
            $0.recordDuplication(outcome, cluster: cluster, generation: generation, table: table, at: instant, wall: now)
        }
        switch outcome {
        case .failed(let message):
            self.logger.debug(
                "duplication query failed",
                metadata: [
                    LoggingKeys.cluster: "\(cluster)",
                    LoggingKeys.table: "\(table)",
                    LoggingKeys.error: "\(message)",
                ]
            )
        case .incomplete(let report, let message):
            self.logger.debug(
                "duplication query incomplete: the last complete observation stays",
                metadata: [
                    LoggingKeys.cluster: "\(cluster)",
                    LoggingKeys.table: "\(table)",
                    LoggingKeys.error: "\(message)",
                ]
            )
            if let replicaLag = report.replicaLag {
                self.recordReplicaLag(replicaLag, cluster: cluster, table: table)
            }
        case .answered(let report):
            if let replicaLag = report.replicaLag {
                self.recordReplicaLag(replicaLag, cluster: cluster, table: table)
            }
        }
    }

    /// Metrics and debug logs of one read of the primaries' `/replica/duplication`.
    private func recordReplicaLag(_ report: ReplicaLagReport, cluster: String, table: String) {
        self.metrics.recordReplicaProbes(
            cluster,
            answered: report.answeredReplicas.count,
            failed: report.failedReplicas.count
        )
        for failure in report.failedReplicas {
            self.logger.debug(
                "replica duplication probe failed",
                metadata: [
                    LoggingKeys.cluster: "\(cluster)",
                    LoggingKeys.table: "\(table)",
                    LoggingKeys.replica: "\(failure.replica)",
                    LoggingKeys.error: "\(failure.error)",
                ]
            )
        }
        self.logger.debug(
            "duplication lag read from replicas",
            metadata: [
                LoggingKeys.cluster: "\(cluster)",
                LoggingKeys.table: "\(table)",
                LoggingKeys.replicasAnswered: "\(report.answeredReplicas.count)",
                LoggingKeys.replicasFailed: "\(report.failedReplicas.count)",
            ]
        )
    }

    /// Everything a round causes outside the lock: metrics, change delivery, logs.
    private func perform(_ effects: ProberState.RoundEffects, round: ClusterRound, verdict: ClusterVerdict) {
        let statuses = Dictionary(effects.metaStatuses, uniquingKeysWith: { first, _ in first })
        for result in round.metas {
            self.metrics.recordMeta(effects.cluster, result: result, status: statuses[result.meta] ?? .unknown)
            if let error = result.error {
                self.logger.debug(
                    "meta probe failed",
                    metadata: [
                        LoggingKeys.cluster: "\(effects.cluster)",
                        LoggingKeys.meta: "\(result.meta)",
                        LoggingKeys.error: "\(error)",
                    ]
                )
            }
        }
        self.metrics.recordCluster(effects.cluster, status: effects.clusterStatus)
        guard let change = effects.change else { return }
        for subscriber in effects.subscribers {
            subscriber.yield(change)
        }
        self.logger.info(
            "cluster health changed",
            metadata: [
                LoggingKeys.cluster: "\(change.cluster)",
                LoggingKeys.healthFrom: "\(change.from)",
                LoggingKeys.healthTo: "\(change.to)",
                LoggingKeys.healthReason: "\(verdict.reason.rawValue)",
                LoggingKeys.healthDetail: "\(verdict.detail ?? "")",
            ]
        )
    }
}
