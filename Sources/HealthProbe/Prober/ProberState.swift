#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// ``HealthProber``'s shared state, kept under its mutex. Every mutation returns what the caller must
/// do afterwards (yield changes, update metrics, log), outside the lock.
struct ProberState: Sendable {
    /// One MetaServer's health.
    struct MetaRecord: Sendable {
        var health: RiseFall
        var lastError: String?
        var lastLatency: Duration?
        var version: String?
    }

    /// One watched cluster.
    struct ClusterRecord: Sendable {
        var target: ProbeTarget
        /// Identifies the probe loops started for this incarnation of the target; a loop whose
        /// generation no longer matches exits.
        var generation: UInt64
        var health: RiseFall
        var metas: [String: MetaRecord]
        var leader: String?
        /// The MetaServer address that last answered `/meta/cluster` as leader: asked first next time.
        var leaderEndpoint: String?
        var lastVerdict: ClusterVerdict?
        var lastRPCOutcome: RPCProbeOutcome?
        var history = ClusterHistory()
        /// Table → `replica.deny_client_request`, from the last table list the leader answered; kept
        /// when a later list fails, `nil` before the first.
        var denials: [String: String]?
        /// When ``denials`` was read.
        var denialsReadAt: ContinuousClock.Instant?
        /// The duplication loop's current round: when each table's read is due.
        var duplicationDue: [String: ContinuousClock.Instant] = [:]
        /// When the duplication loop's next round starts, once one ran.
        var nextDuplicationRound: ContinuousClock.Instant?
    }

    /// (primary cluster, table).
    struct TableKey: Hashable, Sendable {
        var cluster: String
        var table: String
    }

    /// (primary cluster, table, backup cluster).
    struct ObservationKey: Hashable, Sendable {
        var cluster: String
        var table: String
        var backup: String
    }

    /// What a round or duplication loop needs to run.
    struct LoopContext: Sendable {
        var target: ProbeTarget
        /// The target's MetaServers, the last leader endpoint first.
        var orderedMetas: [String]
        var status: HealthStatus
    }

    /// What ``setTargets(_:)`` changed.
    struct TargetUpdate: Sendable {
        var started: [(cluster: String, generation: UInt64)] = []
        var removedClusters: [String] = []
        var removedMetas: [(cluster: String, meta: String)] = []
    }

    /// What applying a round changed.
    struct RoundEffects: Sendable {
        var cluster: String
        var clusterStatus: HealthStatus
        var change: ClusterStateChange?
        /// Subscribers to deliver ``change`` to.
        var subscribers: [AsyncStream<ClusterStateChange>.Continuation]
        var metaStatuses: [(meta: String, status: HealthStatus)]
    }

    let historyLimit: Int
    private(set) var clusters: [String: ClusterRecord] = [:]
    private var nextGeneration: UInt64 = 0
    private var observations: [ObservationKey: DuplicationObservation] = [:]
    /// The keys of `observations` in snapshot order, kept until a key is added or removed: a snapshot
    /// (several a second: the decider's tick, the instance record) then copies instead of sorting.
    private var sortedObservationKeys: [ObservationKey]?
    /// When each observation was made, on the monotonic clock (its `observedAt` is derived from
    /// this at snapshot time).
    private var observedInstants: [ObservationKey: ContinuousClock.Instant] = [:]
    /// Whether this instance reads duplications (the decider does; others read its published ones).
    private(set) var duplicationReadsEnabled = true
    private var failures: [TableKey: DuplicationQueryFailure] = [:]
    private var subscribers: [UInt64: AsyncStream<ClusterStateChange>.Continuation] = [:]
    private var nextSubscriberID: UInt64 = 0
    private(set) var running = false

    init(historyLimit: Int) {
        self.historyLimit = max(1, historyLimit)
    }

    /// Replaces the target set. New clusters get a new generation (their loops must be started);
    /// changed clusters keep their state, loops and health; removed clusters are forgotten, and so are
    /// duplication observations of tables no longer protected.
    mutating func setTargets(_ targets: [ProbeTarget]) -> TargetUpdate {
        var update = TargetUpdate()
        var wanted: [String: ProbeTarget] = [:]
        for var target in targets {
            target.metas = Self.unique(target.metas)
            wanted[target.cluster] = target
        }
        for cluster in self.clusters.keys where wanted[cluster] == nil {
            self.clusters[cluster] = nil
            update.removedClusters.append(cluster)
        }
        for (cluster, target) in wanted.sorted(by: { $0.key < $1.key }) {
            let settings = target.settings
            if var record = self.clusters[cluster] {
                record.target = target
                record.health.updateThresholds(rise: settings.rise, fall: settings.fall)
                for meta in record.metas.keys where !target.metas.contains(meta) {
                    record.metas[meta] = nil
                    update.removedMetas.append((cluster, meta))
                }
                for meta in target.metas {
                    record.metas[meta, default: Self.newMeta(settings)].health.updateThresholds(
                        rise: settings.rise,
                        fall: settings.fall
                    )
                }
                if let endpoint = record.leaderEndpoint, !target.metas.contains(endpoint) {
                    record.leaderEndpoint = nil
                }
                self.clusters[cluster] = record
            } else {
                self.nextGeneration += 1
                var metas: [String: MetaRecord] = [:]
                for meta in target.metas {
                    metas[meta] = Self.newMeta(settings)
                }
                self.clusters[cluster] = ClusterRecord(
                    target: target,
                    generation: self.nextGeneration,
                    health: RiseFall(rise: settings.rise, fall: settings.fall),
                    metas: metas
                )
                update.started.append((cluster, self.nextGeneration))
            }
        }
        let protected = Set(
            wanted.values.flatMap { target in
                target.protectedTables.flatMap { table, backups in
                    backups.map { ObservationKey(cluster: target.cluster, table: table, backup: $0) }
                }
            }
        )
        self.observations = self.observations.filter { protected.contains($0.key) }
        self.sortedObservationKeys = nil
        self.observedInstants = self.observedInstants.filter { protected.contains($0.key) }
        self.failures = self.failures.filter { key, _ in wanted[key.cluster]?.protectedTables[key.table] != nil }
        return update
    }

    /// The current target and meta order for a loop, or `nil` when the loop's generation is gone.
    func loopContext(cluster: String, generation: UInt64) -> LoopContext? {
        guard let record = self.clusters[cluster], record.generation == generation else { return nil }
        var ordered = record.target.metas
        if let endpoint = record.leaderEndpoint, let index = ordered.firstIndex(of: endpoint) {
            ordered.remove(at: index)
            ordered.insert(endpoint, at: 0)
        }
        return LoopContext(target: record.target, orderedMetas: ordered, status: record.health.state.status)
    }

    /// Applies a finished round: per-meta and cluster rise/fall, leader, history.
    /// - Returns: `nil` when the loop's generation is gone (the round is discarded).
    mutating func apply(
        round: ClusterRound,
        verdict: ClusterVerdict,
        cluster: String,
        generation: UInt64,
        at instant: ContinuousClock.Instant,
        wall time: Date
    ) -> RoundEffects? {
        guard var record = self.clusters[cluster], record.generation == generation else { return nil }
        var metaStatuses: [(meta: String, status: HealthStatus)] = []
        for result in round.metas {
            guard var meta = record.metas[result.meta] else { continue }
            _ = meta.health.record(success: result.succeeded, at: instant)
            meta.lastError = result.error?.description
            meta.lastLatency = result.latency
            if let version = result.version {
                meta.version = version.version
            }
            record.metas[result.meta] = meta
            metaStatuses.append((result.meta, meta.health.state.status))
        }
        if let leader = round.leader.leader {
            record.leader = leader
        } else if !verdict.healthy {
            record.leader = nil
        }
        record.leaderEndpoint = round.leader.answeredBy ?? record.leaderEndpoint
        record.lastVerdict = verdict
        record.lastRPCOutcome = round.rpc
        if case .listed(_, let denials) = round.apps {
            record.denials = denials
            record.denialsReadAt = instant
        }
        record.history.append(VerdictRecord(at: time, verdict: verdict), limit: self.historyLimit)
        var change: ClusterStateChange?
        if let transition = record.health.record(success: verdict.healthy, at: instant) {
            let from = transition.from.status
            let to = transition.to.status
            record.history.append(HealthTransitionRecord(at: time, from: from, to: to), limit: self.historyLimit)
            change = ClusterStateChange(cluster: cluster, from: from, to: to, at: time, verdict: verdict)
        }
        self.clusters[cluster] = record
        return RoundEffects(
            cluster: cluster,
            clusterStatus: record.health.state.status,
            change: change,
            subscribers: change == nil ? [] : Array(self.subscribers.values),
            metaStatuses: metaStatuses
        )
    }

    /// Records a duplication query's outcome: a good answer replaces the observations of every backup
    /// of the table; a failure keeps them and is noted separately; an incomplete answer is noted like a
    /// failure and is recorded only for backups without an observation yet (so a probe glitch never
    /// turns a known lag into an unknown one).
    /// - Returns: `false` when the loop's generation is gone or the table is no longer protected.
    /// Stores `report` as the observation of each of `backups`; with `keepingKnown`, only for backups
    /// without an observation yet.
    private mutating func observe(
        _ report: TableDuplications, cluster: String, table: String, backups: [String], at time: Date,
        _ instant: ContinuousClock.Instant, keepingKnown: Bool
    ) {
        for backup in backups {
            let key = ObservationKey(cluster: cluster, table: table, backup: backup)
            if keepingKnown, self.observations[key] != nil { continue }
            if self.observations[key] == nil {
                self.sortedObservationKeys = nil
            }
            self.observations[key] = DuplicationObservation(
                primaryCluster: cluster, table: table, backupCluster: backup, report: report, observedAt: time)
            self.observedInstants[key] = instant
        }
    }

    mutating func recordDuplication(
        _ outcome: DuplicationQueryOutcome,
        cluster: String,
        generation: UInt64,
        table: String,
        at instant: ContinuousClock.Instant,
        wall time: Date
    ) -> Bool {
        guard let record = self.clusters[cluster], record.generation == generation,
            let backups = record.target.protectedTables[table]
        else { return false }
        let tableKey = TableKey(cluster: cluster, table: table)
        switch outcome {
        case .answered(let report):
            observe(report, cluster: cluster, table: table, backups: backups, at: time, instant, keepingKnown: false)
            self.failures[tableKey] = nil
        case .incomplete(let report, let message):
            // Partial (the HTTP fallback has no per-partition lag): never replaces a known lag.
            observe(report, cluster: cluster, table: table, backups: backups, at: time, instant, keepingKnown: true)
            self.failures[tableKey] = DuplicationQueryFailure(
                primaryCluster: cluster,
                table: table,
                at: time,
                error: message
            )
        case .failed(let message):
            self.failures[tableKey] = DuplicationQueryFailure(
                primaryCluster: cluster,
                table: table,
                at: time,
                error: message
            )
        }
        return true
    }

    /// The last good observation of one (primary, table, backup).
    func observation(cluster: String, table: String, backup: String) -> DuplicationObservation? {
        self.observations[ObservationKey(cluster: cluster, table: table, backup: backup)]
    }

    /// Copies everything into a snapshot; transitions older than `window` before `now` are left out
    /// of `recentTransitions` (they stay in `history`).
    ///
    /// Durations are measured on the monotonic clock (`nowInstant`); they become `Date`s here only,
    /// as `now` minus their age.
    mutating func snapshot(at now: Date, instant nowInstant: ContinuousClock.Instant, window: Duration) -> HealthSnapshot {
        let cutoff = now.addingTimeInterval(-Self.seconds(window))
        func date(_ instant: ContinuousClock.Instant?) -> Date? {
            instant.map { now.addingTimeInterval(-Self.seconds(nowInstant - $0)) }
        }
        var clusters: [String: ClusterHealthSnapshot] = [:]
        for (name, record) in self.clusters {
            var metas: [String: MetaHealthSnapshot] = [:]
            for (address, meta) in record.metas {
                metas[address] = MetaHealthSnapshot(
                    state: meta.health.state.status,
                    since: date(meta.health.state.since),
                    lastError: meta.lastError,
                    lastLatencyMilliseconds: meta.lastLatency.map { Self.seconds($0) * 1000 },
                    version: meta.version
                )
            }
            var cluster = ClusterHealthSnapshot(
                state: record.health.state.status,
                since: date(record.health.state.since),
                leader: record.leader,
                lastVerdict: record.lastVerdict,
                lastRPCOutcome: record.lastRPCOutcome,
                metas: metas,
                recentTransitions: record.history.transitions.filter { $0.at >= cutoff },
                history: record.history
            )
            cluster.deniedTables = record.denials
            cluster.tablesListedAt = date(record.denialsReadAt)
            clusters[name] = cluster
        }
        let keys: [ObservationKey]
        if let sorted = self.sortedObservationKeys {
            keys = sorted
        } else {
            keys = self.observations.keys.sorted { ($0.cluster, $0.table, $0.backup) < ($1.cluster, $1.table, $1.backup) }
            self.sortedObservationKeys = keys
        }
        let duplications = keys.compactMap { key -> DuplicationObservation? in
            guard var observation = self.observations[key] else { return nil }
            if let observed = date(self.observedInstants[key]) {
                observation.observedAt = observed
            }
            return observation
        }
        let failures = self.failures.values.sorted { ($0.primaryCluster, $0.table) < ($1.primaryCluster, $1.table) }
        return HealthSnapshot(
            takenAt: now,
            clusters: clusters,
            duplications: duplications,
            duplicationFailures: failures,
            pendingDuplications: self.pendingDuplications(now: nowInstant, date: date)
        )
    }

    /// Every protected (primary, table, backup) without an observation yet, with when its first read
    /// is due or what it waits for: "not observed yet", never "no duplication".
    private func pendingDuplications(
        now: ContinuousClock.Instant,
        date: (ContinuousClock.Instant?) -> Date?
    ) -> [PendingDuplicationRead] {
        var pending: [PendingDuplicationRead] = []
        for (cluster, record) in self.clusters {
            for (table, backups) in record.target.protectedTables {
                for backup in backups
                where self.observations[ObservationKey(cluster: cluster, table: table, backup: backup)] == nil {
                    var read = PendingDuplicationRead(primaryCluster: cluster, table: table, backupCluster: backup)
                    if !self.duplicationReadsEnabled {
                        read.waitingFor = "the decider's read (this instance does not read duplications)"
                    } else if record.health.state.status != .up {
                        read.waitingFor = "\(cluster) to be up"
                    } else {
                        // A read due in this round and not yet made; else (a failed read, a table added
                        // mid-round) the next round.
                        let due = record.duplicationDue[table].flatMap { $0 >= now ? $0 : nil }
                        read.dueAt = date(due ?? record.nextDuplicationRound)
                        if read.dueAt == nil {
                            read.waitingFor = "the first duplication round"
                        }
                    }
                    pending.append(read)
                }
            }
        }
        return pending.sorted {
            ($0.primaryCluster, $0.table, $0.backupCluster) < ($1.primaryCluster, $1.table, $1.backupCluster)
        }
    }

    /// Adds observations made elsewhere (the previous decider's, published) for the protected
    /// (primary, table, backup) this instance has none of; their age is kept (`observedAt` becomes an
    /// instant as far before `nowInstant` as it is before `now`).
    /// - Returns: How many were added.
    mutating func seed(
        _ observations: [DuplicationObservation],
        now: Date,
        instant nowInstant: ContinuousClock.Instant
    ) -> Int {
        var added = 0
        for observation in observations {
            let key = ObservationKey(
                cluster: observation.primaryCluster, table: observation.table, backup: observation.backupCluster)
            guard self.observations[key] == nil,
                self.clusters[key.cluster]?.target.protectedTables[key.table]?.contains(key.backup) == true
            else { continue }
            let age = max(0, now.timeIntervalSince(observation.observedAt))
            self.sortedObservationKeys = nil
            self.observations[key] = observation
            self.observedInstants[key] = nowInstant - .milliseconds(Int64(age * 1000))
            added += 1
        }
        return added
    }

    /// Turns this instance's duplication reads on (the decider) or off (the others).
    mutating func setDuplicationReads(enabled: Bool) {
        self.duplicationReadsEnabled = enabled
    }

    /// Notes the schedule of a duplication round: each table's read time, and the next round's start.
    mutating func scheduleDuplications(
        cluster: String,
        generation: UInt64,
        due: [String: ContinuousClock.Instant],
        nextRound: ContinuousClock.Instant
    ) {
        guard var record = self.clusters[cluster], record.generation == generation else { return }
        record.duplicationDue = due
        record.nextDuplicationRound = nextRound
        self.clusters[cluster] = record
    }

    /// Marks the prober running; `false` when it already was.
    mutating func markRunning() -> Bool {
        defer { self.running = true }
        return !self.running
    }

    /// Registers a ``HealthProber/changes()`` subscriber.
    mutating func addSubscriber(_ continuation: AsyncStream<ClusterStateChange>.Continuation) -> UInt64 {
        self.nextSubscriberID += 1
        self.subscribers[self.nextSubscriberID] = continuation
        return self.nextSubscriberID
    }

    /// Forgets a subscriber whose stream ended.
    mutating func removeSubscriber(_ id: UInt64) {
        self.subscribers[id] = nil
    }

    /// Removes and returns every subscriber, to finish their streams when the prober stops.
    mutating func takeSubscribers() -> [AsyncStream<ClusterStateChange>.Continuation] {
        defer { self.subscribers = [:] }
        return Array(self.subscribers.values)
    }

    private static func newMeta(_ settings: ProbeTarget.Settings) -> MetaRecord {
        MetaRecord(health: RiseFall(rise: settings.rise, fall: settings.fall))
    }

    private static func unique(_ metas: [String]) -> [String] {
        var seen = Set<String>()
        return metas.filter { seen.insert($0).inserted }
    }

    /// A duration in (fractional) seconds.
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
