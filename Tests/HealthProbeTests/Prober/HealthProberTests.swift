import Foundation
import HealthProbe
import Logging
import MetricsTestKit
import PegasusWire
import Synchronization
import TestSupport
import Testing

/// An RPC probe whose outcome the test sets; records the MetaServer order it was given.
private final class ScriptedRPCProbe: RPCHealthProbe {
    private let state = Mutex<(outcome: RPCProbeOutcome, metas: [String])>((.forwardOnly, []))

    init(_ outcome: RPCProbeOutcome) {
        self.state.withLock { $0.outcome = outcome }
    }

    func set(_ outcome: RPCProbeOutcome) {
        self.state.withLock { $0.outcome = outcome }
    }

    var lastMetas: [String] { self.state.withLock { $0.metas } }

    func queryConfig(cluster: String, metas: [String], table: String, timeout: Duration) async -> RPCProbeOutcome {
        self.state.withLock { state in
            state.metas = metas
            return state.outcome
        }
    }
}

/// A duplication source whose outcome per table the test sets; counts the queries.
private final class ScriptedDuplicationSource: DuplicationSource {
    private let state = Mutex<(outcomes: [String: DuplicationQueryOutcome], queries: Int)>(([:], 0))

    func set(_ table: String, _ outcome: DuplicationQueryOutcome) {
        self.state.withLock { $0.outcomes[table] = outcome }
    }

    var queries: Int { self.state.withLock { $0.queries } }

    func queryDuplications(cluster: String, metas: [String], table: String, timeout: Duration) async
        -> DuplicationQueryOutcome
    {
        self.state.withLock { state in
            state.queries += 1
            return state.outcomes[table] ?? .failed("no outcome scripted for \(table)")
        }
    }
}

@Suite("HealthProber against fake clusters on loopback", .serialized, .timeLimit(.minutes(3)))
struct HealthProberTests {
    private static let logger = TestLogging.quiet
    private static let fast = ProbeTarget.Settings(interval: .milliseconds(100), timeout: .milliseconds(500), fall: 3, rise: 2)

    /// Runs the prober while `body` runs, then stops it and returns every change it published.
    private static func whileRunning(
        _ prober: HealthProber,
        _ body: () async throws -> Void
    ) async throws -> [ClusterStateChange] {
        let changes = prober.changes()
        let runner = Task { try await prober.run() }
        do {
            try await body()
        } catch {
            runner.cancel()
            throw error
        }
        runner.cancel()
        try await runner.value
        var collected: [ClusterStateChange] = []
        for await change in changes {
            collected.append(change)
        }
        return collected
    }

    /// The number of consecutive verdicts with `healthy` that ended in the transition to `status`.
    private static func streakBefore(_ status: HealthStatus, in history: ClusterHistory) -> Int? {
        guard let transition = history.transitions.last(where: { $0.to == status }) else { return nil }
        let healthy = status == .up
        let upToTransition = history.verdicts.filter { $0.at <= transition.at }
        return upToTransition.reversed().prefix { $0.verdict.healthy == healthy }.count
    }

    private static func state(_ prober: HealthProber, _ cluster: String) -> HealthStatus? {
        prober.snapshot().clusters[cluster]?.state
    }

    @Test("a stopped cluster goes down after fall rounds and up after rise; the healthy one stays up; duplication kept")
    func downAndBack() async throws {
        try await withHTTPClient { client in
            try await withFakeCluster(count: 2) { stable in
                try await withFakeCluster(count: 2) { primary in
                    let metrics = TestMetrics()
                    let prober = HealthProber(httpClient: client, metricsFactory: metrics, logger: Self.logger)
                    prober.setTargets([
                        ProbeTarget(cluster: "stable", metas: stable.metas, settings: Self.fast),
                        ProbeTarget(
                            cluster: "primary",
                            metas: primary.metas.reversed(),
                            settings: Self.fast,
                            protectedTables: ["temp": ["tjsrv", "gzsrv"]]
                        ),
                    ])
                    let changes = try await Self.whileRunning(prober) {
                        #expect(
                            await eventually {
                                Self.state(prober, "stable") == .up && Self.state(prober, "primary") == .up
                            })
                        #expect(
                            await eventually {
                                prober.duplicationObservation(primary: "primary", table: "temp", backup: "tjsrv") != nil
                            })
                        let up = prober.snapshot()
                        #expect(up.clusters["primary"]?.leader == primary.metas[0])
                        #expect(up.clusters["primary"]?.metas[primary.metas[1]]?.state == .up)
                        #expect(up.clusters["primary"]?.metas[primary.metas[0]]?.version == "2.5.0")
                        #expect(
                            try metrics.expectGauge("metaproxy_cluster_up", [("cluster", "primary")]).lastValue == 1)
                        let latency = try metrics.expectTimer(
                            "metaproxy_probe_latency_seconds",
                            [("cluster", "stable"), ("meta", stable.metas[0])]
                        )
                        #expect(!latency.values.isEmpty)

                        await primary.stop()
                        #expect(await eventually { Self.state(prober, "primary") == .down })
                        let down = prober.snapshot()
                        #expect(down.clusters["stable"]?.state == .up)
                        let record = try #require(down.clusters["primary"])
                        #expect(Self.streakBefore(.down, in: record.history) == Self.fast.fall)
                        #expect(record.lastVerdict?.reason == .noMetaAnswered)
                        #expect(record.metas.values.allSatisfy { $0.lastError?.contains("connect_failed") == true })
                        #expect(record.recentTransitions.map(\.to) == [.up, .down])
                        #expect(
                            try metrics.expectGauge("metaproxy_cluster_up", [("cluster", "primary")]).lastValue == 0)
                        #expect(try metrics.expectGauge("metaproxy_cluster_up", [("cluster", "stable")]).lastValue == 1)
                        #expect(
                            try metrics.expectCounter(
                                "metaproxy_probe_total", [("cluster", "primary"), ("result", "connect_failed")]
                            )
                            .totalValue >= 2
                        )

                        // The last good observations survive the primary's death.
                        let kept = try #require(
                            prober.duplicationObservation(primary: "primary", table: "temp", backup: "tjsrv"))
                        #expect(kept.maxLag == 5)
                        #expect(kept.status == .log)
                        #expect(kept.partitionCount == 2)
                        let downSince = try #require(record.since)
                        #expect(kept.observedAt <= downSince)
                        let noDup = try #require(down.duplications.first { $0.backupCluster == "gzsrv" })
                        #expect(noDup.lagUnknownReason == .noDuplication)

                        try await primary.restart()
                        #expect(await eventually { Self.state(prober, "primary") == .up })
                        let history = try #require(prober.snapshot().clusters["primary"]?.history)
                        #expect(Self.streakBefore(.up, in: history) == Self.fast.rise)
                    }
                    let primaryChanges = changes.filter { $0.cluster == "primary" }.map { [$0.from, $0.to] }
                    #expect(primaryChanges == [[.unknown, .up], [.up, .down], [.down, .up]])
                    #expect(changes.filter { $0.cluster == "stable" }.map(\.to) == [.up])
                }
            }
        }
    }

    @Test("a cluster whose MetaServers accept and never answer goes down (noMetaAnswered, timeout)")
    func hangingCluster() async throws {
        try await withHTTPClient { client in
            try await withFakeCluster(count: 1) { hung in
                hung.setHangEverything(true)
                let prober = HealthProber(httpClient: client, metricsFactory: TestMetrics(), logger: Self.logger)
                let settings = ProbeTarget.Settings(
                    interval: .milliseconds(100), timeout: .milliseconds(200), fall: 2, rise: 2)
                prober.setTargets([ProbeTarget(cluster: "hung", metas: hung.metas, settings: settings)])
                _ = try await Self.whileRunning(prober) {
                    #expect(await eventually { Self.state(prober, "hung") == .down })
                    let record = try #require(prober.snapshot().clusters["hung"])
                    #expect(record.lastVerdict?.reason == .noMetaAnswered)
                    #expect(record.metas[hung.metas[0]]?.lastError?.hasPrefix("timeout") == true)
                    #expect(record.metas[hung.metas[0]]?.state == .down)
                }
            }
        }
    }

    @Test("the injected RPC probe's table must have every primary; it gets the leader first")
    func rpcProbe() async throws {
        try await withHTTPClient { client in
            try await withFakeCluster(count: 2) { cluster in
                let rpc = ScriptedRPCProbe(.leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 1, appId: 2))
                let prober = HealthProber(
                    httpClient: client,
                    rpcProbe: rpc,
                    metricsFactory: TestMetrics(),
                    logger: Self.logger
                )
                prober.setTargets([
                    ProbeTarget(cluster: "c", metas: cluster.metas.reversed(), settings: Self.fast, rpcTable: "temp")
                ])
                _ = try await Self.whileRunning(prober) {
                    #expect(await eventually { Self.state(prober, "c") == .down })
                    let record = try #require(prober.snapshot().clusters["c"])
                    #expect(record.lastVerdict?.reason == .partitionsWithoutPrimary)
                    #expect(
                        record.lastRPCOutcome
                            == .leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 1, appId: 2))
                    #expect(rpc.lastMetas == cluster.metas)

                    rpc.set(.leaderAnswered(partitionCount: 8, partitionsWithoutPrimary: 0, appId: 2))
                    #expect(await eventually { Self.state(prober, "c") == .up })
                }
            }
        }
    }

    @Test("targets can change while running; removed clusters leave the snapshot, which round-trips as JSON")
    func targetsAndSnapshot() async throws {
        try await withHTTPClient { client in
            try await withFakeCluster(count: 1) { first in
                try await withFakeCluster(count: 1) { second in
                    let prober = HealthProber(httpClient: client, metricsFactory: TestMetrics(), logger: Self.logger)
                    prober.setTargets([ProbeTarget(cluster: "a", metas: first.metas, settings: Self.fast)])
                    _ = try await Self.whileRunning(prober) {
                        #expect(await eventually { Self.state(prober, "a") == .up })
                        prober.setTargets([
                            ProbeTarget(cluster: "a", metas: first.metas, settings: Self.fast),
                            ProbeTarget(cluster: "b", metas: second.metas, settings: Self.fast),
                        ])
                        #expect(await eventually { Self.state(prober, "b") == .up })
                        prober.setTargets([ProbeTarget(cluster: "b", metas: second.metas, settings: Self.fast)])
                        let snapshot = prober.snapshot()
                        #expect(Set(snapshot.clusters.keys) == ["b"])

                        let json = try snapshot.jsonBytes()
                        let decoded = try HealthSnapshot(jsonBytes: json)
                        #expect(try decoded.jsonBytes() == json)
                        #expect(decoded.clusters["b"]?.state == .up)
                        #expect(String(decoding: json, as: UTF8.self).contains(#""state":"up""#))
                    }
                }
            }
        }
    }
    /// A report of one duplication to `b` over two partitions with `lag` on partition 1; without
    /// `partitionCount` every lag is unknown.
    private static func report(lag: Int64, partitionCount: Int? = 2) -> TableDuplications {
        let states = [
            Int32(0): DuplicationPartitionState(confirmedDecree: 10, lastCommittedDecree: 10),
            1: DuplicationPartitionState(confirmedDecree: 10, lastCommittedDecree: 10 + lag),
        ]
        let entry = DuplicationEntry(dupid: 1, status: .log, remote: "b", failMode: .slow, partitionStates: states)
        return TableDuplications(appId: 2, partitionCount: partitionCount, entries: [entry])
    }

    private static func observation(_ prober: HealthProber, _ table: String) -> DuplicationObservation? {
        prober.duplicationObservation(primary: "a", table: table, backup: "b")
    }

    @Test("an incomplete duplication answer never replaces a known lag; it is kept only when there is none")
    func incompleteDuplicationAnswer() async throws {
        try await withHTTPClient { client in
            try await withFakeCluster(count: 1) { cluster in
                let source = ScriptedDuplicationSource()
                source.set("t1", .answered(Self.report(lag: 30)))
                source.set("t2", .incomplete(Self.report(lag: 5, partitionCount: nil), "partition count unknown"))
                let prober = HealthProber(
                    httpClient: client, duplicationSource: source, metricsFactory: TestMetrics(), logger: Self.logger)
                prober.setTargets([
                    ProbeTarget(
                        cluster: "a", metas: cluster.metas, settings: Self.fast,
                        protectedTables: ["t1": ["b"], "t2": ["b"]])
                ])
                _ = try await Self.whileRunning(prober) {
                    #expect(await eventually { Self.observation(prober, "t1")?.maxLag == 30 })
                    // No observation before: the incomplete one is shown (lag unknown), with its failure.
                    #expect(await eventually { Self.observation(prober, "t2") != nil })
                    #expect(Self.observation(prober, "t2")?.maxLag == nil)

                    // A glitch: the answer comes back without what the lag needs.
                    source.set("t1", .incomplete(Self.report(lag: 7, partitionCount: nil), "query_config failed"))
                    let asked = source.queries
                    #expect(await eventually { source.queries >= asked + 4 })
                    let kept = try #require(Self.observation(prober, "t1"))
                    #expect(kept.maxLag == 30)
                    let failures = prober.snapshot().duplicationFailures.filter { $0.table == "t1" }
                    #expect(failures.map(\.error) == ["query_config failed"])

                    // A complete answer replaces it and clears the failure.
                    source.set("t1", .answered(Self.report(lag: 3)))
                    #expect(await eventually { Self.observation(prober, "t1")?.maxLag == 3 })
                    #expect(prober.snapshot().duplicationFailures.allSatisfy { $0.table != "t1" })
                }
            }
        }
    }

    @Test("duplication reads only while enabled (the decider), spread over the interval; pending reads say when")
    func decidersOnlyReads() async throws {
        try await withHTTPClient { client in
            try await withFakeCluster(count: 1) { cluster in
                let source = ScriptedDuplicationSource()
                for table in ["t1", "t2", "t3", "t4"] {
                    source.set(table, .answered(Self.report(lag: 1)))
                }
                let prober = HealthProber(
                    httpClient: client, duplicationSource: source, metricsFactory: TestMetrics(), logger: Self.logger)
                prober.setDuplicationReads(enabled: false)
                let settings = ProbeTarget.Settings(
                    interval: .milliseconds(100), timeout: .milliseconds(500), fall: 3, rise: 2,
                    duplicationInterval: .seconds(2))
                prober.setTargets([
                    ProbeTarget(
                        cluster: "a", metas: cluster.metas, settings: settings,
                        protectedTables: ["t1": ["b"], "t2": ["b"], "t3": ["b"], "t4": ["b"]])
                ])
                _ = try await Self.whileRunning(prober) {
                    #expect(await eventually { prober.snapshot().clusters["a"]?.state == .up })
                    // Not the decider: no read at all, and the pending reads say what they wait for.
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(source.queries == 0)
                    let waiting = prober.snapshot().pendingDuplications ?? []
                    #expect(waiting.count == 4)
                    #expect(waiting.allSatisfy { $0.dueAt == nil && $0.waitingFor?.contains("decider") == true })

                    // Elected: the reads start, one table every interval/4 = 500 ms, not in a burst.
                    let clock = ContinuousClock()
                    let start = clock.now
                    prober.setDuplicationReads(enabled: true)
                    #expect(await eventually { source.queries >= 1 })
                    let pending = prober.snapshot().pendingDuplications ?? []
                    #expect(!pending.isEmpty && pending.allSatisfy { $0.dueAt != nil })
                    #expect(source.queries < 4)
                    #expect(await eventually(within: .seconds(10)) { source.queries >= 4 })
                    // Four reads spread over 2 s take at least 3 spacings of 500 ms.
                    #expect(clock.now - start >= .milliseconds(1400))
                    #expect(prober.snapshot().pendingDuplications == [])
                }
            }
        }
    }

    @Test("observations seeded from a previous decider fill only what is missing, keeping their age")
    func seededObservations() async throws {
        try await withHTTPClient { client in
            let source = ScriptedDuplicationSource()
            let prober = HealthProber(
                httpClient: client, duplicationSource: source, metricsFactory: TestMetrics(), logger: Self.logger)
            prober.setTargets([
                ProbeTarget(cluster: "a", metas: ["127.0.0.1:1"], settings: Self.fast, protectedTables: ["t1": ["b"]])
            ])
            let observedAt = Date().addingTimeInterval(-12)
            let published = DuplicationObservation(
                primaryCluster: "a", table: "t1", backupCluster: "b", report: Self.report(lag: 42), observedAt: observedAt)
            let unprotected = DuplicationObservation(
                primaryCluster: "a", table: "gone", backupCluster: "b", report: Self.report(lag: 1), observedAt: observedAt)
            #expect(prober.seed(observations: [published, unprotected]) == 1)
            let seeded = try #require(Self.observation(prober, "t1"))
            #expect(seeded.maxLag == 42)
            let snapshot = try #require(prober.snapshot().duplications.first)
            // The age survives (converted through the monotonic clock, so within a little slack).
            #expect(abs(snapshot.observedAt.timeIntervalSince(observedAt)) < 1)
            // Its own observation is never replaced.
            #expect(prober.seed(observations: [published]) == 0)
        }
    }
}
