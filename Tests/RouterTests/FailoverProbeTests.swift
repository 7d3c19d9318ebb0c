import Foundation
import HealthProbe
import Logging
import NIOPosix
import PegasusSim
import PegasusWire
import Testing

@testable import Router

/// The RPC health probe and duplication source against in-process simulated clusters.
@Suite("Failover RPC probes", .serialized, .timeLimit(.minutes(1)))
struct FailoverProbeTests {
    private static func withSim(_ body: (SimCluster, ProbeUpstreams) async throws -> Void) async throws {
        let sim = try await FailoverTesting.startSim("simA")
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
}
