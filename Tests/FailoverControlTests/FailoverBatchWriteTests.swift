import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// Batched decider writes (``FencedBatchWriter``, ``ZooKeeperFailoverStateStore/write(batch:fence:)``, the
/// persisted lag) against the real ZooKeeper named by `ZK_ADDRESS`: every node still compare-and-set, every
/// multi-op still fenced by the election node.
@Suite("Batched fenced decider writes", .serialized, .timeLimit(.minutes(2)))
struct FailoverBatchWriteTests {
    private static let reason = DecisionReason(.effectiveDown, "test")

    private static func route(_ table: String) throws -> Route { try FailoverTesting.abRoute(table) }

    private static func document(_ table: String, on cluster: String, by decider: String) -> EffectiveRoute {
        EffectiveRoute(
            table: table, activeCluster: cluster, reason: reason, since: Date(), decidedBy: decider,
            mode: cluster == "A" ? .primary : .failover)
    }

    private static func stored(_ client: ZooKeeperClient, _ path: String) async throws -> EffectiveRoute? {
        guard let data = try? await client.get(path).data else { return nil }
        return try EffectiveRoute.decode(Data(data), path: path)
    }

    @Test("one table's failed compare-and-set does not lose the others of its batch")
    func conflictKeepsOthers() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let owner = try await FailoverTesting.connectedClient()
        let tables = (0..<6).map { "t\($0)" }
        let store = ZooKeeperFailoverStateStore(
            client: client, paths: paths, routes: FixedRouteStore(try tables.map(Self.route)), metrics: FailoverMetrics(),
            logger: FailoverTesting.logger)
        let node = try await owner.create(
            paths.electionNodePrefix, data: Array("d1".utf8), mode: .ephemeralSequential, createParents: true)
        let fence = DeciderFence(electionNode: node)
        try await FailoverTesting.withServices([store]) {
            // t2 was created by an operator meanwhile; t3 exists at version 1, the decider read version 0.
            #expect(try await store.write(Self.document("t2", on: "A", by: "operator"), expecting: .absent) == 0)
            #expect(try await store.write(Self.document("t3", on: "A", by: "operator"), expecting: .absent) == 0)
            #expect(try await store.write(Self.document("t3", on: "A", by: "operator"), expecting: .version(0)) == 1)
            #expect(try await store.write(Self.document("t4", on: "A", by: "operator"), expecting: .absent) == 0)

            let writes = tables.map { table -> FailoverStateWrite in
                let expecting: FailoverWriteExpectation =
                    switch table {
                    case "t3": .version(0)
                    case "t4": .version(0)
                    default: .absent
                    }
                return FailoverStateWrite(route: Self.document(table, on: "B", by: "d1"), expecting: expecting)
            }
            let results = await store.write(batch: writes, fence: fence)
            #expect(results.count == tables.count)
            for (table, result) in zip(tables, results) {
                switch (table, result) {
                case ("t2", .failure(let error)), ("t3", .failure(let error)):
                    #expect(error.code == .conflict, "\(table): \(error)")
                    #expect(error.table == table)
                case ("t4", .success(let version)):
                    #expect(version == 1)
                case (_, .success(let version)):
                    #expect(version == 0, "\(table)")
                default:
                    Issue.record("\(table): unexpected \(result)")
                }
            }
            for table in tables {
                let stored = try #require(try await Self.stored(client, paths.effectiveRoute(of: table)))
                let expected = table == "t2" || table == "t3" ? "operator" : "d1"
                #expect(stored.decidedBy == expected, "\(table)")
            }
            // What was written is remembered for the next compare-and-set.
            if case .present(let document, let version) = store.state(of: "t0") {
                #expect(document.activeCluster == "B" && version == 0)
            }
        }
        await owner.close()
        await client.deleteTree(root)
        await client.close()
    }

    @Test("a decider without its election node writes nothing of a batch: every write is fenced")
    func fencedBatchWritesNothing() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let owner = try await FailoverTesting.connectedClient()
        let tables = (0..<4).map { "t\($0)" }
        let store = ZooKeeperFailoverStateStore(
            client: client, paths: paths, routes: FixedRouteStore(try tables.map(Self.route)), metrics: FailoverMetrics(),
            logger: FailoverTesting.logger)
        let node = try await owner.create(
            paths.electionNodePrefix, data: Array("old".utf8), mode: .ephemeralSequential, createParents: true)
        let fence = DeciderFence(electionNode: node)
        let created = try await store.write(Self.document("t1", on: "A", by: "operator"), expecting: .absent)
        #expect(created == 0)
        await owner.close()
        #expect(await eventually { (try? await client.exists(node)) == nil })
        let writes = tables.map { table in
            FailoverStateWrite(
                route: Self.document(table, on: "B", by: "old"), expecting: table == "t1" ? .version(0) : .absent)
        }
        let results = await store.write(batch: writes, fence: fence)
        for (table, result) in zip(tables, results) {
            switch result {
            case .success:
                Issue.record("\(table) was written by a fenced decider")
            case .failure(let error):
                #expect(error.code == .fenced, "\(table): \(error)")
            }
        }
        for table in tables where table != "t1" {
            let stat = try await client.exists(paths.effectiveRoute(of: table))
            #expect(stat == nil, "\(table)")
        }
        let kept = try await Self.stored(client, paths.effectiveRoute(of: "t1"))
        #expect(kept?.decidedBy == "operator")
        await client.deleteTree(root)
        await client.close()
    }

    @Test("chunks of a few nodes: the parent is made once, a conflict in one chunk leaves the other chunks written")
    func chunks() async throws {
        let root = FailoverTesting.uniqueRoot()
        let client = try await FailoverTesting.connectedClient()
        let owner = try await FailoverTesting.connectedClient()
        let node = try await owner.create(
            root + "/election/n_", data: [], mode: .ephemeralSequential, createParents: true)
        let directory = root + "/nodes"
        var writer = FencedBatchWriter(client: client)
        writer.limits = FencedBatchWriter.Limits(operations: 2, bytes: 1024)
        let items = (0..<7).map { index in
            FencedBatchWriter.Item(path: "\(directory)/n\(index)", data: Array("v\(index)".utf8), version: nil)
        }
        // The directory does not exist yet: the first create fails, the directory is made, the chunk sent again.
        let outcomes = await writer.write(items, fence: DeciderFence(electionNode: node), parent: directory)
        let allWritten = outcomes.allSatisfy(\.isWritten)
        #expect(allWritten)
        var second = items.map { item in
            FencedBatchWriter.Item(path: item.path, data: item.data + [0x21], version: 0)
        }
        second[4].version = 7
        let outcomesAgain = await writer.write(second, fence: DeciderFence(electionNode: node), parent: directory)
        for (index, outcome) in outcomesAgain.enumerated() {
            if index == 4 {
                guard case .rejected(let error) = outcome else {
                    Issue.record("n4 should be rejected: \(outcome)")
                    continue
                }
                #expect(error.code == .badVersion)
            } else if case .written(let version) = outcome {
                #expect(version == 1, "n\(index)")
            } else {
                Issue.record("n\(index): \(outcome)")
            }
        }
        #expect(try await client.get("\(directory)/n4").data == Array("v4".utf8))
        #expect(try await client.get("\(directory)/n6").data == Array("v6!".utf8))
        // A chunk larger than the byte bound still carries one node.
        let big = [FencedBatchWriter.Item(path: "\(directory)/big", data: [UInt8](repeating: 1, count: 4096), version: nil)]
        let bigOutcomes = await writer.write(big, fence: nil, parent: directory)
        #expect(bigOutcomes.count == 1 && bigOutcomes[0].isWritten)
        await owner.close()
        await client.deleteTree(root)
        await client.close()
    }

    @Test("the persisted lag of many tables: a node changed meanwhile is skipped and read again, the fence rejects it all")
    func persistedLagBatch() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let client = try await FailoverTesting.connectedClient()
        let owner = try await FailoverTesting.connectedClient()
        let node = try await owner.create(
            paths.electionNodePrefix, data: Array("d1".utf8), mode: .ephemeralSequential, createParents: true)
        let fence = DeciderFence(electionNode: node)
        var settings = PersistedLagStore.Settings()
        settings.minimumWriteInterval = .zero
        let store = PersistedLagStore(
            client: client, paths: paths, instanceID: "d1", settings: settings,
            writeFailures: StateWriteFailures(metrics: FailoverMetrics(), credentialsSource: nil, logger: FailoverTesting.logger),
            logger: FailoverTesting.logger)
        let tables = (0..<5).map { "t\($0)" }
        let routes = try tables.map(Self.route)
        func snapshot(lag: Int64, at date: Date) -> HealthSnapshot {
            let observations = tables.map { table in
                var observation = DuplicationObservation(
                    primaryCluster: "A", table: table, backupCluster: "B", report: TableDuplications(), observedAt: date)
                observation.dupid = 1
                observation.status = .log
                observation.failMode = .slow
                observation.maxLag = lag
                observation.lagUnknownReason = nil
                return observation
            }
            return HealthSnapshot(takenAt: date, clusters: [:], duplications: observations, duplicationFailures: [])
        }
        func lags() async throws -> [String: Int64] {
            var lags: [String: Int64] = [:]
            for table in tables {
                let document = try PersistedLagDocument(jsonBytes: try await client.get(paths.lag(of: table)).data)
                lags[table] = document.links.first?.maxLag
            }
            return lags
        }
        let start = Date()
        try await store.record(snapshot(lag: 3, at: start), routes: routes, fence: fence, now: start)
        #expect(try await lags() == Dictionary(uniqueKeysWithValues: tables.map { ($0, 3) }))

        // Another writer changed t2's node: its compare-and-set fails, the others are written.
        _ = try await client.set(paths.lag(of: "t2"), data: Array(#"{"links":[],"table":"t2","written_by":"x"}"#.utf8))
        let later = start.addingTimeInterval(1)
        try await store.record(snapshot(lag: 5, at: later), routes: routes, fence: fence, now: later)
        var expected = Dictionary(uniqueKeysWithValues: tables.map { ($0, Int64(5)) })
        expected["t2"] = nil
        #expect(try await lags().filter { $0.key != "t2" } == expected)
        #expect(try await lags()["t2"] == nil)
        // The next write reads t2 again and writes it.
        let third = start.addingTimeInterval(2)
        try await store.record(snapshot(lag: 6, at: third), routes: routes, fence: fence, now: third)
        #expect(try await lags() == Dictionary(uniqueKeysWithValues: tables.map { ($0, 6) }))

        // The election node is gone: the whole batch is rejected as fenced, nothing written.
        await owner.close()
        #expect(await eventually { (try? await client.exists(node)) == nil })
        let fourth = start.addingTimeInterval(3)
        let error = await #expect(throws: FailoverStateError.self) {
            try await store.record(snapshot(lag: 9, at: fourth), routes: routes, fence: fence, now: fourth)
        }
        #expect(error?.code == .fenced)
        #expect(try await lags() == Dictionary(uniqueKeysWithValues: tables.map { ($0, 6) }))
        await client.deleteTree(root)
        await client.close()
    }
}
