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

@testable import FailoverControl

@Suite("FailoverAdmin planned switchover: record, stop, resume, abort, lock, instances", .serialized, .timeLimit(.minutes(3)))
struct FailoverAdminPlannedResumeTests {
    typealias H = FailoverAdminHarness
    typealias Step = FailoverAdmin.PlannedStep

    private static let deny = FailoverAdmin.denyClientRequest

    /// Collects progress events.
    final class Events: Sendable {
        private let events = Mutex<[FailoverAdmin.PlannedEvent]>([])
        func append(_ event: FailoverAdmin.PlannedEvent) { events.withLock { $0.append(event) } }
        var all: [FailoverAdmin.PlannedEvent] { events.withLock { $0 } }
        func saw(_ step: Step, _ kind: FailoverAdmin.PlannedEvent.Kind, _ text: String = "") -> Bool {
            all.contains { $0.step == step && $0.kind == kind && (text.isEmpty || $0.text.contains(text)) }
        }
    }

    /// A stop switch the test flips (what SIGINT does to the CLI).
    final class StopSwitch: Sendable {
        private let reason = Mutex<String?>(nil)
        func stop(_ why: String = "interrupted by SIGINT") { reason.withLock { $0 = why } }
        var requested: String? { reason.withLock { $0 } }
    }

    /// An instance registry test double: the lagging instances it reports, call after call.
    final class Fleet: FleetRouteAcknowledgements {
        private let answers: Mutex<[[String]]>
        private let calls = Mutex(0)
        init(_ answers: [[String]]) { self.answers = Mutex(answers) }
        var callCount: Int { calls.withLock { $0 } }
        func instancesNotRouting(table: String, to cluster: String) async throws -> [String] {
            calls.withLock { $0 += 1 }
            return answers.withLock { answers in answers.count > 1 ? answers.removeFirst() : answers.first ?? [] }
        }
    }

    private func options(_ stop: StopSwitch) -> FailoverAdmin.PlannedOptions {
        FailoverAdmin.PlannedOptions(
            maxWait: .seconds(30), settle: .zero, pollInterval: .milliseconds(50), rpcTimeout: .seconds(5),
            instancesTimeout: .seconds(5), stopRequested: { stop.requested })
    }

    /// t1 on sims A (primary) → B (backup) duplicating at `lag` after 20 writes; `body` gets an admin
    /// factory (fleet) with a MetaServer client.
    private func withSetUp(
        lag: Int64,
        _ body: (ZooKeeperClient, String, SimCluster, SimCluster, (any FleetRouteAcknowledgements) throws -> FailoverAdmin)
            async throws -> Void
    ) async throws {
        try await H.withZooKeeper { client, root in
            try await H.withClusters { a, b in
                try await H.declare(client, root, "t1", metas: ["A": a.metaAddresses, "B": b.metaAddresses])
                try a.write(table: "t1", count: 20)
                try a.setDuplication(table: "t1", SimDuplicationSpec(remote: "B", progress: .lag(lag)))
                let upstream = H.upstream()
                do {
                    try await body(client, root, a, b) { fleet in try H.admin(client, root, upstream: upstream, fleet: fleet) }
                } catch {
                    await upstream.close()
                    throw error
                }
                await upstream.close()
            }
        }
    }

    /// Runs a planned switch of t1 to B that is stopped while draining (lag held at 5).
    private func stopWhileDraining(
        _ admin: FailoverAdmin, _ a: SimCluster
    ) async throws -> (FailoverAdminError?, Events) {
        let stop = StopSwitch()
        let events = Events()
        let stopper = Task {
            #expect(await eventually { events.saw(.drain, .progress, "max lag 5") })
            stop.stop()
        }
        let error = await #expect(throws: FailoverAdminError.self) {
            try await admin.plannedSwitch("t1", to: "B", options: options(stop)) { events.append($0) }
        }
        await stopper.value
        return (error, events)
    }

    @Test("a stop while draining leaves writes blocked and the record interrupted at drain; resume completes it")
    func stopThenResume() async throws {
        try await withSetUp(lag: 5) { client, root, a, b, admin in
            let first = try admin(NoFleetRegistry())
            let (error, events) = try await stopWhileDraining(first, a)
            #expect(error?.code == .interrupted && error?.step == .drain)
            #expect(error?.description.contains("failover planned --resume t1") == true)
            #expect(events.saw(.drain, .interrupted))
            #expect(a.appEnvs(table: "t1") == [Self.deny: "timeout*write"])  // nothing undone
            #expect(try await H.effective(client, root, "t1") == nil)
            let record = try #require(try await first.plannedRecord("t1")?.record)
            #expect(record.state == .interrupted && record.step == .drain && record.done == [.check, .blockWrites])
            #expect(record.from == "A" && record.to == "B" && record.previousDenial == nil)
            #expect(record.by.zooKeeperIdentity == "digest:ops" && record.by.osUser == "tester")
            #expect(record.message?.contains("interrupted by SIGINT") == true)

            // A new switch is refused while the record is unfinished.
            let again = await #expect(throws: FailoverAdminError.self) {
                try await first.plannedSwitch("t1", to: "B", options: options(StopSwitch()))
            }
            #expect(again?.code == .interrupted && again?.description.contains("--abort t1") == true)

            try a.advanceDuplication(table: "t1", remote: "B")
            let resumedEvents = Events()
            let result = try await first.resumePlanned("t1", options: options(StopSwitch())) { resumedEvents.append($0) }
            #expect(result.after.activeCluster == "B")
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"] && b.appEnvs(table: "t1").isEmpty)
            #expect(resumedEvents.all.filter { $0.kind == .done }.map(\.step) == [.blockWrites, .drain, .switchRoute, .awaitInstances, .reconfigClients])
            let done = try #require(try await first.plannedRecord("t1")?.record)
            #expect(done.state == .completed && done.done == Step.allCases)
            // Nothing left to resume or abort.
            let nothing = await #expect(throws: FailoverAdminError.self) {
                try await first.abortPlanned("t1", options: options(StopSwitch()))
            }
            #expect(nothing?.code == .invalidArgument)
        }
    }

    @Test("abort after a stop while draining lifts the block on the source and leaves the route alone")
    func abortWhileDraining() async throws {
        try await withSetUp(lag: 5) { client, root, a, _, admin in
            let first = try admin(NoFleetRegistry())
            _ = try await stopWhileDraining(first, a)
            let aborted = try await first.abortPlanned("t1", options: options(StopSwitch()))
            #expect(!aborted.routedBack && aborted.record.state == .aborted)
            #expect(a.appEnvs(table: "t1").isEmpty)
            #expect(try await H.effective(client, root, "t1") == nil)
            #expect(try await first.plannedRecord("t1")?.record.state == .aborted)
        }
    }

    @Test("instances that never route to the target stop the switch before reconfig-clients, naming them; abort routes back, then lifts the block")
    func laggingInstancesThenAbort() async throws {
        try await withSetUp(lag: 0) { client, root, a, _, admin in
            let fleet = Fleet([["proxy-2:34601", "proxy-1:34601"]])
            let events = Events()
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin(fleet).plannedSwitch("t1", to: "B", options: options(StopSwitch())) { events.append($0) }
            }
            #expect(error?.code == .lagging && error?.step == .awaitInstances)
            #expect(error?.description.contains("proxy-1:34601, proxy-2:34601") == true)
            #expect(fleet.callCount >= 2)  // polled until the timeout
            #expect(try await H.effective(client, root, "t1")?.activeCluster == "B")
            #expect(a.appEnvs(table: "t1") == [Self.deny: "timeout*write"])  // never reconfig*all while instances lag
            let record = try #require(try await admin(fleet).plannedRecord("t1")?.record)
            #expect(record.state == .interrupted && record.step == .awaitInstances)
            #expect(record.done == [.check, .blockWrites, .drain, .switchRoute])

            let aborted = try await admin(fleet).abortPlanned("t1", options: options(StopSwitch()))
            #expect(aborted.routedBack)
            let back = try #require(try await H.effective(client, root, "t1"))
            #expect(back.activeCluster == "A" && back.history.last?.reason.code == FailoverAdmin.plannedSwitchoverAborted)
            #expect(a.appEnvs(table: "t1").isEmpty)
        }
    }

    @Test("instances that catch up let the switch finish; the wait is reported")
    func instancesCatchUp() async throws {
        try await withSetUp(lag: 0) { _, _, a, _, admin in
            let fleet = Fleet([["proxy-2:34601"], ["proxy-2:34601"], []])
            let events = Events()
            let result = try await admin(fleet).plannedSwitch("t1", to: "B", options: options(StopSwitch())) { events.append($0) }
            #expect(result.after.activeCluster == "B")
            #expect(events.saw(.awaitInstances, .progress, "proxy-2:34601"))
            #expect(events.saw(.awaitInstances, .done, "every live instance routes t1 to B"))
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
        }
    }

    @Test("a second operator gets a clear error naming the lock holder, and nothing is touched")
    func lockedByAnother() async throws {
        try await withSetUp(lag: 0) { client, root, a, _, admin in
            let holder = FailoverAdmin.PlannedLockHolder(
                by: OperatorIdentity(
                    operatorName: "cli:bob@ops-2", osUser: "bob", zooKeeperIdentity: "digest:bob", host: "ops-2", pid: 777),
                action: "switch", since: Date(), token: "other")
            let path = FailoverPaths(root: root).plannedLock(of: "t1")
            _ = try await client.create(
                path, data: Array(try FailoverJSON.makeEncoder().encode(holder)), mode: .ephemeral, createParents: true)
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin(NoFleetRegistry()).plannedSwitch("t1", to: "B", options: options(StopSwitch()))
            }
            #expect(error?.code == .locked)
            #expect(error?.description.contains("bob (zk digest:bob) on ops-2 pid 777") == true)
            #expect(a.appEnvs(table: "t1").isEmpty)
            #expect(try await admin(NoFleetRegistry()).plannedRecord("t1")?.record == nil)
            try await client.delete(path)
            // Released: the switch runs, and its own lock is gone afterwards.
            _ = try await admin(NoFleetRegistry()).plannedSwitch("t1", to: "B", options: options(StopSwitch()))
            #expect(try await client.exists(path) == nil)
        }
    }

    @Test(
        "stopped after each step (SIGINT at the next safe point): resume completes the switch, abort undoes it",
        arguments: [Step.check, .blockWrites, .drain, .switchRoute, .awaitInstances], [true, false])
    func stopAfterEachStep(step: Step, resume: Bool) async throws {
        try await withSetUp(lag: 0) { client, root, a, b, admin in
            let stop = StopSwitch()
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin(NoFleetRegistry()).plannedSwitch("t1", to: "B", options: options(stop)) { event in
                    if event.step == step && event.kind == .done { stop.stop("interrupted by SIGINT") }
                }
            }
            #expect(error?.code == .interrupted)
            let record = try #require(try await admin(NoFleetRegistry()).plannedRecord("t1")?.record)
            #expect(record.state == .interrupted && record.done.contains(step))
            // Nothing of the switch is undone by the stop itself.
            let switched = step == .switchRoute || step == .awaitInstances
            #expect(try await H.effective(client, root, "t1")?.activeCluster == (switched ? "B" : nil))
            if resume {
                _ = try await admin(NoFleetRegistry()).resumePlanned("t1", options: options(StopSwitch()))
                #expect(try await H.effective(client, root, "t1")?.activeCluster == "B")
                #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
                #expect(b.appEnvs(table: "t1").isEmpty)
                #expect(try await admin(NoFleetRegistry()).plannedRecord("t1")?.record.state == .completed)
            } else {
                let aborted = try await admin(NoFleetRegistry()).abortPlanned("t1", options: options(StopSwitch()))
                #expect(aborted.record.state == .aborted && aborted.routedBack == switched)
                #expect(a.appEnvs(table: "t1").isEmpty && b.appEnvs(table: "t1").isEmpty)
                #expect((try await H.effective(client, root, "t1"))?.activeCluster ?? "A" == "A")
            }
        }
    }

    @Test("a stop before a step starts records the step it stopped before, nothing of it done")
    func stopBeforeStep() async throws {
        try await withSetUp(lag: 0) { client, root, a, _, admin in
            let stop = StopSwitch()
            let events = Events()
            // Stop once the route is switched: the next safe point is before await-instances.
            let error = await #expect(throws: FailoverAdminError.self) {
                try await admin(NoFleetRegistry()).plannedSwitch("t1", to: "B", options: options(stop)) { event in
                    events.append(event)
                    if event.step == .switchRoute && event.kind == .done { stop.stop("interrupted by SIGTERM") }
                }
            }
            #expect(error?.code == .interrupted && error?.step == .awaitInstances)
            #expect(try await H.effective(client, root, "t1")?.activeCluster == "B")
            #expect(a.appEnvs(table: "t1") == [Self.deny: "timeout*write"])
            let record = try #require(try await admin(NoFleetRegistry()).plannedRecord("t1")?.record)
            #expect(record.state == .interrupted && record.step == .awaitInstances)
            #expect(record.message?.contains("SIGTERM") == true)
            // Resume finishes from there without blocking or draining again.
            let resumed = Events()
            _ = try await admin(NoFleetRegistry()).resumePlanned("t1", options: options(StopSwitch())) { resumed.append($0) }
            #expect(!resumed.saw(.blockWrites, .started) && !resumed.saw(.drain, .started))
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
        }
    }

    @Test("a crash right after the route write landed (record still says switch-route running): resume goes on after it, never unblocking writes")
    func resumeAfterLandedRouteWrite() async throws {
        try await withSetUp(lag: 0) { client, root, a, _, admin in
            let stop = StopSwitch()
            _ = await #expect(throws: FailoverAdminError.self) {
                try await admin(NoFleetRegistry()).plannedSwitch("t1", to: "B", options: options(stop)) { event in
                    if event.step == .switchRoute && event.kind == .done { stop.stop() }
                }
            }
            // Make the record look like the process died during the route write.
            let path = FailoverPaths(root: root).plannedRecord(of: "t1")
            var record = try #require(try await admin(NoFleetRegistry()).plannedRecord("t1")?.record)
            record.state = .running
            record.step = .switchRoute
            record.done = [.check, .blockWrites, .drain]
            _ = try await client.set(path, data: Array(try FailoverJSON.makeEncoder().encode(record)))

            let events = Events()
            let result = try await admin(NoFleetRegistry()).resumePlanned("t1", options: options(StopSwitch())) { events.append($0) }
            #expect(result.after.activeCluster == "B")
            #expect(events.saw(.switchRoute, .progress, "already routed to B"))
            #expect(!events.saw(.blockWrites, .started) && !events.saw(.blockWrites, .rolledBack))
            #expect(a.appEnvs(table: "t1") == [Self.deny: "reconfig*all"])
            #expect(try await H.effective(client, root, "t1")?.history.count == 1)
        }
    }

    @Test("a route write whose reply was lost is settled by reading the node back: applied, not applied")
    func readBackAfterLostReply() async throws {
        try await H.withZooKeeper { client, root in
            try await H.declare(client, root, "t1")
            let admin = try H.admin(client, root)
            let route = try await admin.declaredRoute("t1")
            let lost = FailoverAdminError(.zooKeeper, table: "t1", message: "connection loss")
            var written = admin.initialDocument(route, now: Date())
            written.apply(
                DecisionRecord(
                    table: "t1", from: "A", to: "B", reason: DecisionReason(FailoverAdmin.plannedSwitchover, "test"),
                    at: Date(), decidedBy: "cli:test@host", lagDecrees: 0, trigger: .planned),
                mode: .planned)
            // Not applied: no node at all, then a node that does not hold this write.
            #expect(try await admin.routeWriteLanded(written, table: "t1", error: lost) == false)
            var other = written
            other.history[0].decidedBy = "proxy-9"
            try await admin.write(other, expecting: nil)
            #expect(try await admin.routeWriteLanded(written, table: "t1", error: lost) == false)
            // Applied: the node holds it (dates compared to the second after the JSON round trip).
            let stored = try #require(try await admin.storedRoute("t1"))
            try await admin.write(written, expecting: stored.version)
            #expect(try await admin.routeWriteLanded(written, table: "t1", error: lost))
        }
    }
}
