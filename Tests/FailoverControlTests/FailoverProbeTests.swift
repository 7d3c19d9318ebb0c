import Foundation
import HealthProbe
import Logging
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

/// The RPC health probe and duplication source against in-process simulated clusters.
@Suite("Failover RPC probes", .serialized, .timeLimit(.minutes(1)))
struct FailoverProbeTests {
    /// A failed expectation that ends a test.
    private struct ProbeTestFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static func withSim(
        duplicationShape: SimDuplicationShape = .master,
        _ body: (SimCluster, ProbeUpstreams) async throws -> Void
    ) async throws {
        let sim = try await FailoverTesting.startSim("simA", duplicationShape: duplicationShape)
        let upstreams = ProbeUpstreams(group: MultiThreadedEventLoopGroup.singleton, logger: FailoverTesting.logger)
        do {
            try await body(sim, upstreams)
        } catch {
            await upstreams.close()
            await sim.stop()
            throw error
        }
        await upstreams.close()
        await sim.stop()
    }

    @Test("query_config probe: leader, partitions without primary, no leader, dead cluster")
    func healthProbe() async throws {
        try await Self.withSim { sim, upstreams in
            let probe = UpstreamRPCHealthProbe(upstreams: upstreams)
            func query() async -> RPCProbeOutcome {
                await probe.queryConfig(cluster: "simA", metas: sim.metaAddresses, table: "t1", timeout: .seconds(1))
            }
            let appId = try #require(sim.tables.first?.appId)
            #expect(await query() == .leaderAnswered(partitionCount: 4, partitionsWithoutPrimary: 0, appId: appId))
            try sim.removePrimary(table: "t1", partition: 2)
            #expect(await query() == .leaderAnswered(partitionCount: 4, partitionsWithoutPrimary: 1, appId: appId))
            try sim.restorePrimary(table: "t1", partition: 2)
            try sim.setLeader(nil)
            #expect(await query() == .forwardOnly)
            try sim.setLeader(1)
            #expect(await query() == .leaderAnswered(partitionCount: 4, partitionsWithoutPrimary: 0, appId: appId))
            await sim.killAll()
            guard case .error = await query() else {
                Issue.record("a dead cluster must be an error")
                return
            }
        }
    }

    @Test("RPC_CM_QUERY_DUPLICATION: entries, partition count and lag from partition_states")
    func duplicationSource() async throws {
        try await Self.withSim { sim, upstreams in
            let source = RPCDuplicationSource(upstreams: upstreams, fallback: nil)
            try sim.write(table: "t1", count: 100)
            try sim.setDuplication(table: "t1", SimDuplicationSpec(remote: "simB", progress: .lag(30)))
            try sim.write(table: "t1", count: 12)
            try sim.setLeader(2)
            let outcome = await source.queryDuplications(
                cluster: "simA", metas: sim.metaAddresses, table: "t1", timeout: .seconds(1))
            guard case .answered(let report) = outcome else {
                Issue.record("expected an answer, got \(outcome)")
                return
            }
            #expect(report.partitionCount == 4)
            #expect(report.appId == sim.tables.first?.appId)
            let entry = try #require(report.entries.first)
            #expect(entry.remote == "simB" && entry.status == .log && entry.failMode == .slow)
            let observation = DuplicationObservation(
                primaryCluster: "simA", table: "t1", backupCluster: "simB", report: report, observedAt: .now)
            #expect(observation.maxLag == 42)

            // Unknown progress is unknown, not zero.
            try sim.setDuplication(table: "t1", SimDuplicationSpec(remote: "simB", progress: .unknown))
            guard
                case .answered(let unknown) = await source.queryDuplications(
                    cluster: "simA", metas: sim.metaAddresses, table: "t1", timeout: .seconds(1))
            else {
                Issue.record("expected an answer")
                return
            }
            let unknownObservation = DuplicationObservation(
                primaryCluster: "simA", table: "t1", backupCluster: "simB", report: unknown, observedAt: .now)
            #expect(unknownObservation.maxLag == nil)

            // A table the cluster does not have is a failure.
            guard
                case .failed = await source.queryDuplications(
                    cluster: "simA", metas: sim.metaAddresses, table: "nope", timeout: .seconds(1))
            else {
                Issue.record("expected a failure for a missing table")
                return
            }
        }
    }

    /// One duplication query, with the observation towards `simB`.
    private static func observe(
        _ source: RPCDuplicationSource,
        _ sim: SimCluster
    ) async throws -> (TableDuplications, DuplicationObservation) {
        let outcome = await source.queryDuplications(
            cluster: "simA", metas: sim.metaAddresses, table: "t1", timeout: .seconds(2))
        guard case .answered(let report) = outcome else {
            throw ProbeTestFailure(description: "expected an answer, got \(outcome)")
        }
        let observation = DuplicationObservation(
            primaryCluster: "simA", table: "t1", backupCluster: "simB", report: report, observedAt: .now)
        return (report, observation)
    }

    @Test("v2.5 replies without partition_states: lag is read from the primaries' /replica/duplication")
    func replicaLag() async throws {
        let threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
        do {
            try await Self.replicaLag(ReplicaLagReader(client: CurlHTTPClient(threadPool: threadPool)))
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        try await threadPool.shutdownGracefully()
    }

    private static func replicaLag(_ reader: ReplicaLagReader) async throws {
        try await Self.withSim(duplicationShape: .v25) { sim, upstreams in
            let source = RPCDuplicationSource(upstreams: upstreams, fallback: nil, replicaLag: reader)
            try sim.write(table: "t1", count: 100)
            try sim.setDuplication(table: "t1", SimDuplicationSpec(remote: "simB", progress: .lag(30)))
            try sim.write(table: "t1", count: 12)

            let (report, observation) = try await Self.observe(source, sim)
            let entry = try #require(report.entries.first)
            #expect(entry.partitionStates == nil && entry.status == .log)
            // The primaries asked are the addresses query_config reports, which serve the HTTP endpoint.
            let replicaLag = try #require(report.replicaLag)
            let config = sim.queryConfiguration(table: "t1")
            #expect(replicaLag.primaries.count == 4)
            for partition in config.partitions {
                #expect(replicaLag.primaries[partition.pid.partitionIndex] == partition.primary.description)
            }
            #expect(Set(replicaLag.answeredReplicas).isSubset(of: Set(sim.replicaAddresses)))
            #expect(replicaLag.failedReplicas.isEmpty)
            #expect(observation.maxLag == 42)
            #expect(observation.lagSource == .replicaHTTP)

            // The sim's duplication progress moves the lag the replicas report.
            try sim.advanceDuplication(table: "t1", remote: "simB", by: 40)
            #expect(try await Self.observe(source, sim).1.maxLag == 2)
            try sim.advanceDuplication(table: "t1", remote: "simB")
            #expect(try await Self.observe(source, sim).1.maxLag == 0)
            try sim.write(table: "t1", count: 7)
            #expect(try await Self.observe(source, sim).1.maxLag == 7)

            // A partition without a primary has no replica to ask: unknown, not zero.
            try sim.removePrimary(table: "t1", partition: 1)
            let (_, leaderless) = try await Self.observe(source, sim)
            #expect(leaderless.maxLag == nil && leaderless.unknownLagPartitions == [1])
            try sim.restorePrimary(table: "t1", partition: 1)

            // Without a reader, v2.5 lag stays unknown (the meta reply alone has no progress).
            let (_, metaOnly) = try await Self.observe(RPCDuplicationSource(upstreams: upstreams, fallback: nil), sim)
            #expect(metaOnly.maxLag == nil && metaOnly.lagUnknownReason == .noPartitionStates)
        }
    }

    /// A fallback that answers with a fixed outcome.
    private struct FixedSource: DuplicationSource {
        let outcome: DuplicationQueryOutcome
        func queryDuplications(cluster: String, metas: [String], table: String, timeout: Duration) async
            -> DuplicationQueryOutcome
        { outcome }
    }

    @Test("when the RPC fails, the fallback source is asked; when both fail, both are named")
    func fallback() async throws {
        let upstreams = ProbeUpstreams(group: MultiThreadedEventLoopGroup.singleton, logger: FailoverTesting.logger)
        // Nothing listens on port 1: the RPC fails.
        let answering = RPCDuplicationSource(
            upstreams: upstreams, fallback: FixedSource(outcome: .answered(TableDuplications(appId: 99))))
        let answered = await answering.queryDuplications(
            cluster: "c", metas: ["127.0.0.1:1"], table: "t1", timeout: .milliseconds(500))
        #expect(answered == .answered(TableDuplications(appId: 99)))
        let failing = RPCDuplicationSource(upstreams: upstreams, fallback: FixedSource(outcome: .failed("http down")))
        let failed = await failing.queryDuplications(
            cluster: "c", metas: ["127.0.0.1:1"], table: "t1", timeout: .milliseconds(500))
        guard case .failed(let message) = failed else {
            Issue.record("expected a failure, got \(failed)")
            await upstreams.close()
            return
        }
        #expect(message.hasPrefix("rpc: ") && message.hasSuffix("fallback: http down"))
        await upstreams.close()
    }

    @Test("the probe table dropped is a table problem; list_apps still reaches the leader and reads denials")
    func probeTableDroppedAndDenials() async throws {
        try await Self.withSim { sim, upstreams in
            let probe = UpstreamRPCHealthProbe(upstreams: upstreams)
            #expect(
                await probe.listApps(cluster: "simA", metas: sim.metaAddresses, timeout: .seconds(1))
                    == .listed(tableCount: 1, denials: [:]))
            // The table denies client requests: the leader's list says so (one request for all tables).
            let reply = try await upstreams.query(
                cluster: "simA", metas: sim.metaAddresses, name: RpcName.updateAppEnv,
                request: UpdateAppEnvRequest.set(["replica.deny_client_request": "reconfig*all"], appName: "t1"),
                timeout: .seconds(1), followsForwards: false)
            #expect(try reply.decodeResult(UpdateAppEnvResponse.self).err == .ok)
            #expect(
                await probe.listApps(cluster: "simA", metas: sim.metaAddresses, timeout: .seconds(1))
                    == .listed(tableCount: 1, denials: ["t1": "reconfig*all"]))
            // Dropped: query_config gets ERR_OBJECT_NOT_FOUND from the leader, a table problem.
            try sim.dropTable("t1")
            #expect(
                await probe.queryConfig(cluster: "simA", metas: sim.metaAddresses, table: "t1", timeout: .seconds(1))
                    == .tableUnavailable("ERR_OBJECT_NOT_FOUND"))
            #expect(
                await probe.listApps(cluster: "simA", metas: sim.metaAddresses, timeout: .seconds(1))
                    == .listed(tableCount: 0, denials: [:]))
            // The sim counted both RPCs by name on the leader.
            let leader = try #require(sim.stats().metas.first { $0.leader })
            #expect(leader.byName[RpcName.listApps] == 3)
            #expect(leader.byName[RpcName.queryConfig] == 1)
            // No leader: forwards only.
            try sim.setLeader(nil)
            #expect(await probe.listApps(cluster: "simA", metas: sim.metaAddresses, timeout: .seconds(1)) == .forwardOnly)
        }
    }

    @Test("an HTTP fallback answer without per-partition lag (v2.4/2.5) is incomplete, so a known lag stays")
    func fallbackWithoutLagIsIncomplete() async throws {
        let upstreams = ProbeUpstreams(group: MultiThreadedEventLoopGroup.singleton, logger: FailoverTesting.logger)
        // The v2.5 HTTP shape: an entry without partition_states, no replica lag read.
        let entry = DuplicationEntry(dupid: 7, status: .log, remote: "simB", failMode: .slow)
        let report = TableDuplications(appId: 3, partitionCount: 4, entries: [entry])
        let source = RPCDuplicationSource(upstreams: upstreams, fallback: FixedSource(outcome: .answered(report)))
        let outcome = await source.queryDuplications(
            cluster: "c", metas: ["127.0.0.1:1"], table: "t1", timeout: .milliseconds(500))
        guard case .incomplete(let kept, let reason) = outcome else {
            Issue.record("expected incomplete, got \(outcome)")
            await upstreams.close()
            return
        }
        #expect(kept == report)
        #expect(reason.contains("HTTP fallback carries no per-partition lag"))
        await upstreams.close()
    }
}
