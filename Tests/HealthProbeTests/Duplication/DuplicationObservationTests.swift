import Foundation
import PegasusWire
import Testing

@testable import HealthProbe

@Suite("Duplication lag as values")
struct DuplicationObservationTests {
    private static let now = Date(timeIntervalSince1970: 1_700_000_000)

    private static func entry(
        dupid: Int32 = 1,
        status: DuplicationStatus = .log,
        remote: String = "tjsrv",
        states: [Int32: (Int64, Int64)]?
    ) -> DuplicationEntry {
        DuplicationEntry(
            dupid: dupid,
            status: status,
            remote: remote,
            failMode: .slow,
            partitionStates: states?.mapValues {
                DuplicationPartitionState(confirmedDecree: $0.0, lastCommittedDecree: $0.1)
            }
        )
    }

    private static func observe(_ report: TableDuplications, backup: String = "tjsrv") -> DuplicationObservation {
        DuplicationObservation(
            primaryCluster: "bjsrv", table: "temp", backupCluster: backup, report: report, observedAt: now)
    }

    @Test("max lag over all partitions is last_committed - confirmed")
    func knownLag() {
        let report = TableDuplications(
            appId: 2,
            partitionCount: 3,
            entries: [Self.entry(states: [0: (95, 100), 1: (200, 200), 2: (10, 40)])]
        )
        let observation = Self.observe(report)
        #expect(observation.maxLag == 30)
        #expect(observation.lagUnknownReason == nil)
        #expect(observation.status == .log)
        #expect(observation.failMode == .slow)
        #expect(observation.observedAt == Self.now)
    }

    @Test("a -1 decree makes the lag unknown, not zero")
    func notSynced() {
        let report = TableDuplications(partitionCount: 2, entries: [Self.entry(states: [0: (-1, 100), 1: (5, 5)])])
        let observation = Self.observe(report)
        #expect(observation.maxLag == nil)
        #expect(observation.lagUnknownReason == .partitionNotSynced)
        #expect(observation.unknownLagPartitions == [0])
        let staleLeader = Self.observe(
            TableDuplications(partitionCount: 1, entries: [Self.entry(states: [0: (5, -1)])]))
        #expect(staleLeader.maxLag == nil)
    }

    @Test("a missing partition makes the lag unknown")
    func missingPartition() {
        let report = TableDuplications(
            partitionCount: 4, entries: [Self.entry(states: [0: (1, 1), 1: (1, 1), 3: (1, 1)])])
        let observation = Self.observe(report)
        #expect(observation.maxLag == nil)
        #expect(observation.lagUnknownReason == .partitionMissing)
        #expect(observation.unknownLagPartitions == [2])
    }

    @Test("no partition count, no partition states (v2.5), or no duplication to the backup: unknown")
    func otherUnknowns() {
        let noCount = Self.observe(TableDuplications(entries: [Self.entry(states: [0: (1, 1)])]))
        #expect(noCount.maxLag == nil)
        #expect(noCount.lagUnknownReason == .partitionCountUnknown)

        let old = Self.observe(TableDuplications(partitionCount: 1, entries: [Self.entry(states: nil)]))
        #expect(old.lagUnknownReason == .noPartitionStates)
        #expect(old.status == .log)

        let other = Self.observe(
            TableDuplications(partitionCount: 1, entries: [Self.entry(states: [0: (1, 1)])]), backup: "gzsrv")
        #expect(other.dupid == nil)
        #expect(other.status == nil)
        #expect(other.lagUnknownReason == .noDuplication)

        let none = Self.observe(TableDuplications())
        #expect(none.lagUnknownReason == .noDuplication)
    }

    @Test("the newest duplication to the backup that is not removed is used")
    func picksNewest() {
        let report = TableDuplications(
            partitionCount: 1,
            entries: [
                Self.entry(dupid: 10, status: .pause, states: [0: (1, 9)]),
                Self.entry(dupid: 30, status: .removed, states: [0: (1, 1)]),
                Self.entry(dupid: 20, status: .log, states: [0: (4, 6)]),
                Self.entry(dupid: 40, remote: "gzsrv", states: [0: (0, 0)]),
            ]
        )
        let observation = Self.observe(report)
        #expect(observation.dupid == 20)
        #expect(observation.maxLag == 2)
    }

    @Test("status and fail mode map between wire values and IDL names")
    func idlNames() {
        #expect(DuplicationStatus(rawValue: 3).idlName == "DS_LOG")
        #expect(DuplicationStatus(idlName: "DS_LOG") == .log)
        #expect(DuplicationStatus(rawValue: 9).idlName == "DS_UNKNOWN_9")
        #expect(DuplicationStatus(idlName: "DS_UNKNOWN_9").rawValue == 9)
        #expect(DuplicationStatus(idlName: "DS_NEW").rawValue == -1)
        #expect(DuplicationFailMode(rawValue: 1).idlName == "FAIL_SKIP")
        #expect(DuplicationFailMode(idlName: "FAIL_SKIP") == .skip)
        #expect(DuplicationFailMode(rawValue: 7).idlName == "FAIL_UNKNOWN_7")
    }

    @Test("JSON spells the status and fail mode by IDL name and leaves out absent values")
    func jsonNames() throws {
        let observation = Self.observe(TableDuplications(appId: 2, partitionCount: 1, entries: [Self.entry(states: [0: (1, 3)])]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        let json = String(decoding: try encoder.encode(observation), as: UTF8.self)
        #expect(
            json == #"{"appId":2,"backupCluster":"tjsrv","dupid":1,"failMode":"FAIL_SLOW","lagSource":"partition_states","#
                + #""maxLag":2,"observedAt":1700000000,"partitionCount":1,"primaryCluster":"bjsrv","status":"DS_LOG","#
                + #""table":"temp","unknownLagPartitions":[]}"#
        )
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(DuplicationObservation.self, from: Data(json.utf8)) == observation)
    }
}
