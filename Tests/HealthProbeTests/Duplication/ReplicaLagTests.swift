import Foundation
import PegasusWire
import Testing

@testable import HealthProbe

/// Combining the primaries' `/replica/duplication` answers into per-partition lag (v2.4/v2.5), as values.
@Suite("Replica duplication lag as values")
struct ReplicaLagTests {
    private static let now = Date(timeIntervalSince1970: 1_700_000_000)
    private static let appId: Int32 = 2
    private static let dupid: Int32 = 1_700_000_000
    /// Partitions 0 and 2 on r1, 1 and 3 on r2.
    private static let primaries: [Int32: String] = [0: "r1:1", 1: "r2:1", 2: "r1:1", 3: "r2:1"]

    private static func state(_ lag: Int64) -> ReplicaDuplicationState {
        ReplicaDuplicationState(
            duplicating: true, failMode: .slow, notConfirmedMutations: lag, notDuplicatedMutations: lag)
    }

    /// One replica's answer: dupid → gpid → state, for `lags` keyed by partition index.
    private static func answer(
        dupid: Int32 = dupid,
        appId: Int32 = appId,
        _ lags: [Int32: Int64]
    ) -> [Int32: [Gpid: ReplicaDuplicationState]] {
        var states: [Gpid: ReplicaDuplicationState] = [:]
        for (partition, lag) in lags {
            states[Gpid(appId: appId, partitionIndex: partition)] = state(lag)
        }
        return [dupid: states]
    }

    /// The observation towards `tjsrv` of a v2.5 report (no partition_states) with `replicaLag`.
    private static func observe(_ replicaLag: ReplicaLagReport?, partitionCount: Int? = 4) -> DuplicationObservation {
        let report = TableDuplications(
            appId: appId,
            partitionCount: partitionCount,
            entries: [DuplicationEntry(dupid: dupid, status: .log, remote: "tjsrv", failMode: .slow)],
            replicaLag: replicaLag
        )
        return DuplicationObservation(
            primaryCluster: "bjsrv", table: "temp", backupCluster: "tjsrv", report: report, observedAt: now)
    }

    private static func report(
        _ answers: [String: [Int32: [Gpid: ReplicaDuplicationState]]],
        failures: [String: String] = [:],
        primaries: [Int32: String] = primaries
    ) -> ReplicaLagReport {
        ReplicaLagReport(appId: appId, primaries: primaries, answers: answers, failures: failures)
    }

    @Test("every partition known: the max lag, read from the replicas")
    func allKnown() {
        let lag = Self.report(["r1:1": Self.answer([0: 3, 2: 17]), "r2:1": Self.answer([1: 0, 3: 5])])
        #expect(lag.partitionLags(dupid: Self.dupid) == [0: 3, 1: 0, 2: 17, 3: 5])
        #expect(lag.answeredReplicas == ["r1:1", "r2:1"] && lag.failedReplicas.isEmpty)
        let observation = Self.observe(lag)
        #expect(observation.maxLag == 17)
        #expect(observation.lagSource == .replicaHTTP)
        #expect(observation.lagUnknownReason == nil && observation.unknownLagPartitions.isEmpty)
        #expect(observation.status == .log)
    }

    @Test("a primary that did not answer makes its partitions, and the table's lag, unknown")
    func replicaFailed() {
        let lag = Self.report(["r1:1": Self.answer([0: 3, 2: 17])], failures: ["r2:1": "timeout"])
        #expect(lag.failedReplicas == [ReplicaLagReport.Failure(replica: "r2:1", error: "timeout")])
        let observation = Self.observe(lag)
        #expect(observation.maxLag == nil)
        #expect(observation.lagUnknownReason == .replicaNotAnswered)
        #expect(observation.unknownLagPartitions == [1, 3])
        #expect(observation.lagSource == .replicaHTTP)
    }

    @Test("a partition without an entry (or without a primary) is unknown, not zero")
    func missingEntry() {
        let missing = Self.observe(Self.report(["r1:1": Self.answer([0: 3, 2: 1]), "r2:1": Self.answer([1: 0])]))
        #expect(missing.maxLag == nil)
        #expect(missing.lagUnknownReason == .partitionMissing)
        #expect(missing.unknownLagPartitions == [3])
        var noPrimary = Self.primaries
        noPrimary[3] = nil
        let leaderless = Self.observe(
            Self.report(["r1:1": Self.answer([0: 3, 2: 1]), "r2:1": Self.answer([1: 0, 3: 0])], primaries: noPrimary))
        #expect(leaderless.maxLag == nil && leaderless.unknownLagPartitions == [3])
    }

    @Test("an entry reported by a replica that is not the partition's primary is ignored")
    func notThePrimary() {
        // r1 claims partition 1 too, but query_config names r2, which does not report it.
        let lag = Self.report(["r1:1": Self.answer([0: 3, 1: 0, 2: 1]), "r2:1": Self.answer([3: 0])])
        #expect(lag.partitionLags(dupid: Self.dupid)[1] == nil)
        #expect(Self.observe(lag).maxLag == nil)
    }

    @Test("entries of another dupid or another app are ignored")
    func wrongDupidOrApp() {
        let other = Self.report([
            "r1:1": Self.answer(dupid: 42, [0: 0, 2: 0]),
            "r2:1": Self.answer(appId: 9, [1: 0, 3: 0]),
        ])
        #expect(other.partitionLags(dupid: Self.dupid).isEmpty)
        #expect(other.partitionLags(dupid: 42) == [0: 0, 2: 0])
        let observation = Self.observe(other)
        #expect(observation.maxLag == nil && observation.unknownLagPartitions == [0, 1, 2, 3])

        var mixed = Self.answer([0: 1, 2: 2])
        mixed[42] = [Gpid(appId: Self.appId, partitionIndex: 0): Self.state(9_999)]
        let lag = Self.report(["r1:1": mixed, "r2:1": Self.answer([1: 3, 3: 4])])
        #expect(Self.observe(lag).maxLag == 4)
    }

    @Test("a -1 from a replica is unknown, not zero")
    func negativeIsUnknown() {
        let observation = Self.observe(
            Self.report(["r1:1": Self.answer([0: -1, 2: 1]), "r2:1": Self.answer([1: 3, 3: 4])]))
        #expect(observation.maxLag == nil)
        #expect(observation.lagUnknownReason == .partitionNotSynced)
        #expect(observation.unknownLagPartitions == [0])
    }

    @Test("partition_states win over the replicas; no replica report leaves v2.5 lag unknown")
    func sourcePrecedence() {
        let withStates = TableDuplications(
            appId: Self.appId,
            partitionCount: 1,
            entries: [
                DuplicationEntry(
                    dupid: Self.dupid, status: .log, remote: "tjsrv",
                    partitionStates: [0: DuplicationPartitionState(confirmedDecree: 90, lastCommittedDecree: 100)])
            ],
            replicaLag: Self.report(["r1:1": Self.answer([0: 1])], primaries: [0: "r1:1"])
        )
        #expect(!withStates.needsReplicaLag)
        let observation = DuplicationObservation(
            primaryCluster: "bjsrv", table: "temp", backupCluster: "tjsrv", report: withStates, observedAt: Self.now)
        #expect(observation.maxLag == 10 && observation.lagSource == .partitionStates)

        let none = Self.observe(nil)
        #expect(none.maxLag == nil && none.lagUnknownReason == .noPartitionStates && none.lagSource == nil)
        let noCount = Self.observe(Self.report(["r1:1": Self.answer([0: 1])]), partitionCount: nil)
        #expect(noCount.maxLag == nil && noCount.lagUnknownReason == .partitionCountUnknown)
    }

    @Test("the observation with its lag source survives JSON")
    func codable() throws {
        let observation = Self.observe(
            Self.report(["r1:1": Self.answer([0: 3, 2: 17]), "r2:1": Self.answer([1: 0, 3: 5])]))
        let data = try JSONEncoder().encode(observation)
        #expect(String(decoding: data, as: UTF8.self).contains("\"lagSource\":\"replica_http\""))
        #expect(try JSONDecoder().decode(DuplicationObservation.self, from: data) == observation)
    }
}
