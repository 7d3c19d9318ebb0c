import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("Failover election order and state machine")
struct FailoverElectionMachineTests {
    private static let node = ElectionMachine.Node(path: "/r/.meta-proxy/decider/n_0000000002", session: 7)

    @Test("nodes are ordered by sequence; other names are ignored")
    func ordering() {
        let children = ["n_0000000010", "lock", "n_0000000002", "n_x", "n_0000000007"]
        #expect(ElectionOrder.sorted(children) == ["n_0000000002", "n_0000000007", "n_0000000010"])
        #expect(ElectionOrder.position(of: "n_0000000002", among: children) == .first)
        #expect(ElectionOrder.position(of: "n_0000000010", among: children) == .after(predecessor: "n_0000000007"))
        #expect(ElectionOrder.position(of: "n_0000000003", among: children) == .missing)
    }

    @Test("join, lowest node decides, a disconnection stops it, the same session resumes")
    func decidesAndStops() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        step = machine.connected(session: 7)
        #expect(step == .join(session: 7))
        step = machine.joined(Self.node)
        #expect(step == .evaluate(Self.node))
        step = machine.evaluated(Self.node, children: ["n_0000000002", "n_0000000005"])
        #expect(step == .startDeciding(Self.node))
        #expect(machine.isDeciding)
        step = machine.disconnected(expired: false)
        #expect(step == .stopDeciding(thenJoin: nil))
        #expect(!machine.isDeciding)
        step = machine.connected(session: 7)
        #expect(step == .evaluate(Self.node))
    }

    @Test("after an expiry the node is gone: join again on the new session")
    func rejoinsAfterExpiry() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        _ = machine.connected(session: 7)
        _ = machine.joined(Self.node)
        _ = machine.evaluated(Self.node, children: ["n_0000000002"])
        step = machine.disconnected(expired: true)
        #expect(step == .stopDeciding(thenJoin: nil))
        #expect(machine.node == nil)
        step = machine.connected(session: 8)
        #expect(step == .join(session: 8))
        // A late result of the old session is ignored.
        step = machine.joined(Self.node)
        #expect(step == .none)
    }

    @Test("a follower watches its predecessor and evaluates again when it goes")
    func follows() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        _ = machine.connected(session: 7)
        _ = machine.joined(Self.node)
        step = machine.evaluated(Self.node, children: ["n_0000000001", "n_0000000002"])
        #expect(step == .watch(Self.node, predecessor: "n_0000000001"))
        step = machine.predecessorGone(Self.node, predecessor: "n_0000000000")
        #expect(step == .none)
        step = machine.predecessorGone(Self.node, predecessor: "n_0000000001")
        #expect(step == .evaluate(Self.node))
        step = machine.evaluated(Self.node, children: ["n_0000000002"])
        #expect(step == .startDeciding(Self.node))
    }

    @Test("a node missing from the children joins again; failed steps are retried")
    func missingAndRetry() {
        var machine = ElectionMachine()
        var step: ElectionMachine.Action
        _ = machine.connected(session: 7)
        step = machine.stepFailed()
        #expect(step == .retryLater)
        step = machine.retry()
        #expect(step == .join(session: 7))
        _ = machine.joined(Self.node)
        step = machine.evaluated(Self.node, children: ["n_0000000009"])
        #expect(step == .join(session: 7))
    }
}

@Suite("Failover probe targets")
struct FailoverProbeTargetTests {
    private static func cluster(_ name: String, _ port: Int) throws -> ClusterRoute {
        ClusterRoute(name: name, metas: [try Endpoint(host: "127.0.0.1", port: port)])
    }

    private static func policy(_ name: String, tables: [String], interval: Duration, fall: Int) throws -> Policy {
        let spec = PolicySpec(
            name: name,
            tables: tables,
            probe: FailoverPolicy.ProbeSettings(interval: interval, timeout: .milliseconds(100), fall: fall, rise: 2)
        )
        return try Policy(spec: spec, registry: .builtIn)
    }

    @Test("every cluster of a route with backups is probed with the most demanding policy's settings")
    func mostDemanding() throws {
        let a = try Self.cluster("A", 1001)
        let b = try Self.cluster("B", 2001)
        let c = try Self.cluster("C", 3001)
        let routes = [
            Route(table: "slow", primary: a, backups: [b]),
            Route(table: "fast", primary: a, backups: [c]),
            Route(table: "plain", primary: c),
        ]
        let policies = try PolicySet(policies: [
            try Self.policy("slow", tables: ["slow"], interval: .milliseconds(300), fall: 2),
            try Self.policy("fast", tables: ["fast"], interval: .milliseconds(500), fall: 1),
        ])
        let targets = ProbeTargetPlanner.targets(for: routes, policies: policies)
        #expect(targets.map(\.cluster) == ["A", "B", "C"])
        let targetA = try #require(targets.first)
        // 500ms × 1 detects sooner than 300ms × 2.
        #expect(targetA.settings.interval == .milliseconds(500))
        #expect(targetA.settings.fall == 1)
        #expect(targetA.rpcTable == "fast")
        #expect(targetA.protectedTables == ["fast": ["C"], "slow": ["B"]])
        // Backups record the reverse duplication (towards the primary) for failback.
        #expect(targets[1].protectedTables == ["slow": ["A"]])
        #expect(targets[1].settings.interval == .milliseconds(300))
        #expect(targets[2].protectedTables == ["fast": ["A"]])
        #expect(
            ProbeTargetPlanner.tickInterval(for: routes, policies: policies, floor: .milliseconds(200), idle: .seconds(1))
                == .milliseconds(300)
        )
        #expect(
            ProbeTargetPlanner.tickInterval(for: [routes[2]], policies: policies, floor: .milliseconds(200), idle: .seconds(1))
                == .seconds(1)
        )
    }
}

@Suite("Failover decision inputs")
struct FailoverDecisionInputTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func observation(
        primary: String,
        backup: String,
        status: DuplicationStatus?,
        failMode: DuplicationFailMode? = .slow,
        lag: Int64
    ) -> DuplicationObservation {
        var entries: [DuplicationEntry] = []
        if let status {
            entries.append(
                DuplicationEntry(
                    dupid: 17,
                    status: status,
                    remote: backup,
                    failMode: failMode,
                    partitionStates: [0: DuplicationPartitionState(confirmedDecree: 10, lastCommittedDecree: 10 + lag)]
                )
            )
        }
        return DuplicationObservation(
            primaryCluster: primary,
            table: "t1",
            backupCluster: backup,
            report: TableDuplications(appId: 1, partitionCount: 1, entries: entries),
            observedAt: now.addingTimeInterval(-3)
        )
    }

    private static func cluster(_ state: HealthStatus, since: Date?) -> ClusterHealthSnapshot {
        ClusterHealthSnapshot(
            state: state,
            since: since,
            leader: nil,
            lastVerdict: nil,
            lastRPCOutcome: nil,
            metas: [:],
            recentTransitions: [HealthTransitionRecord(at: now, from: .up, to: state)],
            history: ClusterHistory()
        )
    }

    @Test("health, duplications both ways, stored placement and pause flags reach the input")
    func builds() throws {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let route = Route(table: "t1", primary: a, backups: [b])
        let snapshot = HealthSnapshot(
            takenAt: Self.now,
            clusters: ["A": Self.cluster(.down, since: Self.now.addingTimeInterval(-5))],
            duplications: [
                Self.observation(primary: "A", backup: "B", status: .log, lag: 7),
                Self.observation(primary: "B", backup: "A", status: .pause, failMode: DuplicationFailMode(idlName: "FAIL_NEW"), lag: 1),
            ],
            duplicationFailures: []
        )
        let reason = DecisionReason(.effectiveDown, "test")
        var document = EffectiveRoute(
            table: "t1", activeCluster: "A", reason: reason, since: Self.now, decidedBy: "x", mode: .primary, paused: true)
        document.apply(
            DecisionRecord(
                table: "t1", from: "A", to: "B", reason: reason, at: Self.now, decidedBy: "x", lagDecrees: 7,
                trigger: .automatic),
            mode: .failover
        )
        let input = DecisionInputBuilder(snapshot: snapshot)
            .input(for: route, document: document, globallyPaused: true, now: Self.now)
        #expect(input.health(of: "A").state == .down)
        #expect(input.health(of: "A").since == Self.now.addingTimeInterval(-5))
        #expect(input.health(of: "A").recentTransitions == 1)
        #expect(input.health(of: "B").state == .unknown)
        let forward = try #require(input.duplications["B"])
        #expect(forward.status == .log && forward.failMode == .slow && forward.maxLagDecrees == 7)
        #expect(forward.observedAt == Self.now.addingTimeInterval(-3))
        // An unknown fail mode is judged as FAIL_SKIP, never as lossless.
        let reverse = try #require(input.reverseDuplications["B"])
        #expect(reverse.status == .pause && reverse.failMode == .skip)
        #expect(input.effectiveCluster == "B")
        #expect(input.tablePaused && input.globallyPaused)
    }

    @Test("no duplication to a backup is no view (the guard says not duplicating)")
    func noDuplication() throws {
        let observation = Self.observation(primary: "A", backup: "B", status: nil, lag: 0)
        #expect(DecisionInputBuilder.view(observation) == nil)
    }
}

@Suite("Failover refusals, health publication throttle and local state")
struct FailoverSmallPartsTests {
    @Test("a refusal is new when it starts or its code changes, not while it repeats")
    func refusalEpisodes() {
        var tracker = RefusalTracker()
        let t0 = Date(timeIntervalSince1970: 0)
        let lag = DecisionReason(.lagTooHigh, "lag")
        var isNew = tracker.refused(table: "t1", cluster: "A", reason: lag, policy: "p", at: t0)
        #expect(isNew)
        isNew = tracker.refused(table: "t1", cluster: "A", reason: lag, policy: "p", at: t0.addingTimeInterval(1))
        #expect(!isNew)
        #expect(tracker.records["t1"]?.since == t0)
        #expect(tracker.records["t1"]?.at == t0.addingTimeInterval(1))
        let stale = DecisionReason(.observationStale, "old")
        isNew = tracker.refused(table: "t1", cluster: "A", reason: stale, policy: "p", at: t0)
        #expect(isNew)
        isNew = tracker.refused(table: "t1", cluster: "A", reason: stale, policy: "p", at: t0)
        #expect(!isNew)
        tracker.notRefused(table: "t1")
        isNew = tracker.refused(table: "t1", cluster: "A", reason: stale, policy: "p", at: t0)
        #expect(isNew)
    }

    @Test("health is published when it changed (at most every 2 s) or when the node is 10 s old")
    func throttle() {
        let t0 = Date(timeIntervalSince1970: 0)
        func snapshot(_ state: HealthStatus) -> HealthSnapshot {
            let cluster = ClusterHealthSnapshot(
                state: state, since: nil, leader: nil, lastVerdict: nil, lastRPCOutcome: nil, metas: [:],
                recentTransitions: [], history: ClusterHistory())
            return HealthSnapshot(takenAt: t0, clusters: ["A": cluster], duplications: [], duplicationFailures: [])
        }
        let up = HealthDigest(snapshot(.up))
        let down = HealthDigest(snapshot(.down))
        var throttle = HealthPublisher.Throttle()
        #expect(throttle.isDue(up, at: t0))
        throttle.published(up, at: t0)
        #expect(!throttle.isDue(down, at: t0.addingTimeInterval(1)))
        #expect(throttle.isDue(down, at: t0.addingTimeInterval(2)))
        #expect(!throttle.isDue(up, at: t0.addingTimeInterval(5)))
        #expect(throttle.isDue(up, at: t0.addingTimeInterval(10)))
    }

    @Test("the local store routes by what its decider wrote and checks versions")
    func localStore() async throws {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let route = Route(table: "t1", primary: a, backups: [b])
        let store = LocalFailoverStateStore(metrics: FailoverMetrics(), logger: FailoverTesting.logger)
        #expect(store.activeCluster(for: route) == a)
        #expect(store.state(of: "t1") == .absent)
        let document = EffectiveRoute(
            table: "t1", activeCluster: "B", reason: DecisionReason(.effectiveDown, "x"), since: Date(),
            decidedBy: "me", mode: .failover)
        #expect(try await store.write(document, expecting: .absent) == 0)
        #expect(store.activeCluster(for: route) == b)
        await #expect(throws: FailoverStateError.self) { try await store.write(document, expecting: .absent) }
        var unknown = document
        unknown.activeCluster = "Z"
        #expect(try await store.write(unknown, expecting: .version(0)) == 1)
        #expect(store.activeCluster(for: route) == a)
    }

    @Test("with a state file, a restarted local store resumes the table on its backup")
    func localStoreStateFile() async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let path = directory.path + "/failover-state.json"
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let route = Route(table: "t1", primary: a, backups: [b])
        let first = LocalFailoverStateStore(metrics: FailoverMetrics(), stateFile: path, logger: FailoverTesting.logger)
        #expect(first.state(of: "t1") == .absent)
        let document = EffectiveRoute(
            table: "t1", activeCluster: "B", reason: DecisionReason(.effectiveDown, "A down"), since: Date(),
            decidedBy: "me", mode: .failover)
        try await first.write(document, expecting: .absent)
        #expect(FileManager.default.fileExists(atPath: path))

        let restarted = LocalFailoverStateStore(metrics: FailoverMetrics(), stateFile: path, logger: FailoverTesting.logger)
        #expect(restarted.activeCluster(for: route) == b)
        #expect(restarted.state(of: "t1").routingDocument?.reason == document.reason)
        #expect(restarted.status().source == "local \(path)")
    }

    @Test("a malformed state file is moved aside; the store starts with every table on its primary")
    func localStoreBadStateFile() async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let path = try directory.write("failover-state.json", "{ not json")
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let route = Route(table: "t1", primary: a, backups: [])
        let store = LocalFailoverStateStore(metrics: FailoverMetrics(), stateFile: path, logger: FailoverTesting.logger)
        #expect(store.activeCluster(for: route) == a)
        #expect(store.state(of: "t1") == .absent)
        #expect(!FileManager.default.fileExists(atPath: path))
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".bad-") }
        #expect(aside.count == 1)
    }
}

@Suite("Failover policy directory")
struct FailoverPolicyStoreTests {
    @Test("a missing directory means the built-in manual policy; it is loaded once it appears")
    func missingDirectory() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let store = try PolicyStore(directory: directory.path + "/policies", logger: FailoverTesting.logger)
        #expect(store.isMissing)
        #expect(store.current.policy(for: "t1").name == Policy.builtInDefault.name)
        try FileManager.default.createDirectory(atPath: directory.path + "/policies", withIntermediateDirectories: false)
        try directory.write("policies/fast.yaml", FailoverTesting.policyYAML(kind: "auto-failover"))
        #expect(store.reloadIfChanged())
        #expect(!store.isMissing)
        #expect(store.current.policy(for: "t1").spec.kind == "auto-failover")
    }

    @Test("a changed file is reloaded; a bad file keeps the previous policies and is reported")
    func reload() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("fast.yaml", FailoverTesting.policyYAML(kind: "auto-failover"))
        let store = try PolicyStore(directory: directory.path, logger: FailoverTesting.logger)
        #expect(!store.reloadIfChanged())
        try directory.write("fast.yaml", FailoverTesting.policyYAML(kind: "manual"))
        #expect(store.reloadIfChanged())
        #expect(store.current.policy(for: "t1").spec.kind == "manual")
        try directory.write("fast.yaml", "name: broken\ntables: [\"t1\"]\nkind: no-such-kind\n")
        #expect(!store.reloadIfChanged())
        #expect(store.current.policy(for: "t1").spec.kind == "manual")
        #expect(store.lastError?.contains("fast.yaml") == true)
        #expect(store.summaries().map(\.name) == ["test-manual"])
    }

    @Test("a failed reload keeps the previous set and logs the file at fault; the first load must succeed")
    func reloadLogs() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("default.yaml", "tables: [\"*\"]")
        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover")
        let (logger, logs) = RouteRecordingLogHandler.logger()
        let store = try PolicyStore(directory: directory.path, logger: logger)
        #expect(store.current.policy(for: "orders").spec.kind == "auto-failover")
        #expect(logs.all.last?.message == "policies loaded")

        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover\nswitch: { cooldown: 30x }")
        #expect(!store.reloadIfChanged())
        #expect(store.current.policy(for: "orders").spec.kind == "auto-failover")
        #expect(store.current.policy(for: "orders").spec.switching.cooldown == .seconds(300))
        let warning = try #require(logs.all.last { $0.level == .warning })
        #expect(warning.message == "policy reload failed, keeping the previous policies")
        #expect(warning.metadata["metaproxy.policy.file"] == "\(directory.path)/orders.yaml")
        #expect(warning.error?.contains("switch.cooldown") == true)

        try directory.write("orders.yaml", "tables: [orders]\nkind: manual")
        #expect(store.reloadIfChanged())
        #expect(store.current.policy(for: "orders").spec.kind == "manual")
        #expect(logs.all.last?.message == "policies reloaded")

        try directory.write("bad.yaml", "kind: manual")
        #expect {
            try PolicyStore(directory: directory.path, logger: FailoverTesting.logger)
        } throws: { error in
            (error as? PolicyError)?.code == .missingKey
        }
    }

    @Test("a bad file at startup is an error naming the file")
    func badAtStartup() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("bad.yaml", "tables: [\"t1\"]\nprobe: { interval: 5x }\n")
        #expect {
            try PolicyStore(directory: directory.path, logger: FailoverTesting.logger)
        } throws: { error in
            (error as? PolicyError)?.file?.hasSuffix("bad.yaml") == true
        }
    }
}
