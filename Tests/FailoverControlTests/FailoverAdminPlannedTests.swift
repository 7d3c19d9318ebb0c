import FailoverControl
import FailoverPolicy
import Foundation
import NIOCore
import PegasusSim
import PegasusWire
import RouteModel
import Router
import Synchronization
import TestSupport
import Testing
import ZooKeeper

@Suite("FailoverAdmin planned switchover", .serialized, .timeLimit(.minutes(2)))
struct FailoverAdminPlannedTests {
    typealias H = FailoverAdminHarness

    private static let deny = FailoverAdmin.denyClientRequest

    /// Collects progress events.
    final class Events: Sendable {
        private let events = Mutex<[FailoverAdmin.PlannedEvent]>([])
        func append(_ event: FailoverAdmin.PlannedEvent) { events.withLock { $0.append(event) } }
        var all: [FailoverAdmin.PlannedEvent] { events.withLock { $0 } }
    }

    /// Routes t1 to the sims A (primary) and B (backup) whose duplication replies have `shape`, with A
    /// duplicating to B at `lag` after 20 writes (no duplication when `nil`), and runs `body` with an
    /// admin that has a MetaServer client and, when `readsReplicas`, a replica lag reader.
    private func withSetUp(
        lag: Int64?,
        shape: SimDuplicationShape = .master,
        readsReplicas: Bool = true,
        _ body: (ZooKeeperClient, String, SimCluster, SimCluster, FailoverAdmin, UpstreamPool) async throws -> Void
    ) async throws {
        try await H.withZooKeeper { client, root in
            try await H.withClusters(shape: shape) { a, b in
                try await H.declare(client, root, "t1", metas: ["A": a.metaAddresses, "B": b.metaAddresses])
                if let lag {
                    try a.write(table: "t1", count: 20)
                    try a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(lag)))
                }
                try await H.withReplicaLagReader { reader in
                    let upstream = H.upstream()
                    do {
                        let admin = try H.admin(client, root, upstream: upstream, replicaLag: readsReplicas ? reader : nil)
                        try await body(client, root, a, b, admin, upstream)
                    } catch {
                        await upstream.close()
                        throw error
                    }
                    await upstream.close()
                }
            }
        }
    }

    /// The texts of the `kind` events of `step`.
    private static func texts(_ events: Events, _ step: FailoverAdmin.PlannedStep, _ kind: FailoverAdmin.PlannedEvent.Kind)
        -> [String]
    {
        events.all.filter { $0.step == step && $0.kind == kind }.map(\.text)
    }

    /// Whether a drain progress event so far contains `text`.
    private static func drainReported(_ text: String, in events: Events) -> Bool {
        texts(events, .drain, .progress).contains { $0.contains(text) }
    }

    private static let fromReplicas = "from the primary ReplicaServers' /replica/duplication"

    /// Sets `replica.deny_client_request` of t1 on `sim` through its leader.
    private func setDenial(_ value: String, on sim: SimCluster, _ upstream: UpstreamPool) async throws {
        let reply = try await upstream.query(
            cluster: try FailoverTesting.clusterRoute(sim),
            name: RpcName.updateAppEnv,
            args: RequestFrame.make(
                header: RequestHeader(), name: RpcName.updateAppEnv, seqid: 0,
                args: UpdateAppEnvRequest.set([Self.deny: value], appName: "t1")
            ).args,
            timeout: .seconds(5), followsForwards: false)
        #expect(reply.errorName == "ERR_OK")
        #expect(sim.appEnvs(table: "t1")[Self.deny] == value)
    }

    private let fast = FailoverAdmin.PlannedOptions(
        maxWait: .seconds(30), settle: .zero, pollInterval: .milliseconds(50), rpcTimeout: .seconds(5))

    @Test("writes are blocked, the lag is waited out, the route switched and the old primary set to reconfig*all")
    func caughtUp() async throws {
        try await withSetUp(lag: 7) { client, root, a, b, admin, upstream in
            let events = Events()
            // The duplication catches up only after writes are blocked, while the command waits.
            // Each step waits until the drain reported the lag before it (its progress events), not for a time.
            let shipper = Task {
                #expect(await eventually { a.appEnvs(table: "t1")[Self.deny] == "timeout*write" })
                #expect(await eventually { Self.drainReported("max lag 7", in: events) })
                try a.advanceDuplication(table: "t1", remote: "B", by: 4)
                #expect(await eventually { Self.drainReported("max lag 3", in: events) })
                try a.advanceDuplication(table: "t1", remote: "B")
            }
            let result = try await admin.plannedSwitch("t1", to: "B", options: fast) { events.append($0) }
            try await shipper.value

            #expect(result.after.activeCluster == "B" && result.after.mode == .planned)
            #expect(result.record.trigger == .planned && result.record.lagDecrees == 0)
            #expect(result.record.reason.code == FailoverAdmin.plannedSwitchover)
            #expect(try await H.effective(client, root, "t1") == H.stored(result.after))
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
            #expect(b.appEnvs(table: "t1").isEmpty)

            let all = events.all
            #expect(all.filter { $0.kind == .done }.map(\.step) == FailoverAdmin.PlannedStep.allCases)
            let drain = all.filter { $0.step == .drain && $0.kind == .progress }.map(\.text)
            #expect(drain.first?.contains("max lag 7") == true)
            #expect(drain.contains { $0.contains("max lag 3") })
        }
    }

    @Test(
        "a drain that does not finish within --max-wait (lag held above 0) restores the previous env and switches nothing",
        arguments: SimDuplicationShape.allCases)
    func timeout(shape: SimDuplicationShape) async throws {
        try await withSetUp(lag: 5, shape: shape) { client, root, a, b, admin, upstream in
            try await setDenial("timeout*read", on: a, upstream)
            let events = Events()
            var options = fast
            options.maxWait = .milliseconds(600)
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: options) { events.append($0) }
            }
            #expect(error?.step == .drain && error?.code == .plannedStep)
            #expect(error?.description.contains("not drained within 600ms") == true)
            let source = shape == .v25 ? Self.fromReplicas : "from the duplication query's partition_states"
            #expect(error?.description.contains("(last: duplication A → B DS_LOG, max lag 5 decrees (\(source)))") == true)
            #expect(error?.description.contains("rolled back: restored replica.deny_client_request=timeout*read") == true)
            #expect(a.appEnvs(table: "t1") == [Self.deny: "timeout*read"])
            #expect(try await H.effective(client, root, "t1") == nil)
            #expect(events.all.contains { $0.kind == .rolledBack })
        }
    }

    @Test("a route moved meanwhile fails the switch-route step and unblocks writes")
    func movedMeanwhile() async throws {
        try await withSetUp(lag: 5) { client, root, a, b, admin, upstream in
            let other = try H.admin(client, root)
            let mover = Task {
                #expect(await eventually { a.appEnvs(table: "t1")[Self.deny] != nil })
                _ = try await other.switchTable("t1", to: "B", force: true)
                try a.advanceDuplication(table: "t1")
            }
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: fast)
            }
            try await mover.value
            #expect(error?.step == .switchRoute && error?.code == .conflict)
            #expect(error?.description.contains("moved to B meanwhile") == true)
            #expect(a.appEnvs(table: "t1").isEmpty)
            #expect(try await H.effective(client, root, "t1")?.history.map(\.trigger) == [.forced])
        }
    }

    @Test("without partition_states (Pegasus 2.5) the drain is read from the primaries' live lag, then the route switched")
    func drainsThroughReplicaLag() async throws {
        try await withSetUp(lag: 6, shape: .v25) { client, root, a, b, admin, upstream in
            #expect(a.duplications(table: "t1").entries.map { $0.partitionStates == nil } == [true])
            let events = Events()
            // The duplication catches up only once the command has seen the lag with writes blocked.
            let shipper = Task {
                #expect(await eventually { Self.texts(events, .drain, .progress).contains { $0.contains("max lag 6") } })
                try a.advanceDuplication(table: "t1", remote: "B")
            }
            let result = try await admin.plannedSwitch("t1", to: "B", options: fast) { events.append($0) }
            try await shipper.value

            #expect(result.after.activeCluster == "B" && result.after.mode == .planned && result.record.lagDecrees == 0)
            #expect(try await H.effective(client, root, "t1") == H.stored(result.after))
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
            #expect(events.all.filter { $0.kind == .done }.map(\.step) == FailoverAdmin.PlannedStep.allCases)
            #expect(Self.texts(events, .check, .done).first?.contains("max lag 6 decrees (\(Self.fromReplicas))") == true)
            #expect(Self.texts(events, .drain, .started).first?.contains("/replica/duplication") == true)
            #expect(Self.texts(events, .drain, .done).first?.contains("max lag 0 decrees (\(Self.fromReplicas))") == true)
            #expect(a.stats().replicas.map(\.http).reduce(0, +) > 0)
        }
    }

    @Test("a partition whose lag cannot be read (no primary) keeps the drain waiting until it can")
    func unknownReplicaLagWaits() async throws {
        try await withSetUp(lag: 0, shape: .v25) { client, root, a, b, admin, upstream in
            try a.removePrimary(table: "t1", partition: 2)
            let events = Events()
            let restorer = Task {
                #expect(await eventually { Self.texts(events, .drain, .progress).contains { $0.contains("lag unknown (partitions 2") } })
                try a.restorePrimary(table: "t1", partition: 2)
            }
            let result = try await admin.plannedSwitch("t1", to: "B", options: fast) { events.append($0) }
            try await restorer.value
            #expect(result.after.activeCluster == "B")
            #expect(Self.texts(events, .check, .done).first?.contains("lag unknown (partitions 2") == true)
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
        }
    }

    @Test("without partition_states and without a replica lag reader the check refuses, touching nothing")
    func refusesWithoutAnyLagSource() async throws {
        try await withSetUp(lag: 0, shape: .v25, readsReplicas: false) { client, root, a, b, admin, upstream in
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: fast)
            }
            #expect(error?.step == .check && error?.description.contains("the drain cannot be verified") == true)
            #expect(error?.description.contains("no replica lag reader") == true)
            #expect(a.appEnvs(table: "t1").isEmpty)
            let effective = try await H.effective(client, root, "t1")
            #expect(effective == nil)
        }
    }

    @Test("the check refuses a missing or paused duplication and a target not serving the table, touching nothing")
    func checkRefusals() async throws {
        try await withSetUp(lag: nil) { client, root, a, b, admin, upstream in
            let missing = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: fast)
            }
            #expect(missing?.step == .check && missing?.description.contains("has no duplication A → B") == true)

            try a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", status: .pause))
            let paused = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: fast)
            }
            #expect(paused?.description.contains("DS_PAUSE, not DS_LOG") == true)

            try a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B"))
            try await setDenial("reconfig*all", on: b, upstream)
            let denied = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: fast)
            }
            #expect(denied?.step == .check && denied?.description.contains("B has replica.deny_client_request") == true)

            try await H.declare(client, root, "t1", metas: ["A": a.metaAddresses, "B": ["127.0.0.1:1"]])
            let unreachable = await #expect(throws: FailoverAdminError.self) {
                try await admin.plannedSwitch("t1", to: "B", options: fast)
            }
            #expect(unreachable?.step == .check && unreachable?.code == .metaRPC)
            #expect(a.appEnvs(table: "t1").isEmpty)
            #expect(try await H.effective(client, root, "t1") == nil)
        }
    }
}
