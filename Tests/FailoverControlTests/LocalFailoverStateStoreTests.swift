import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("LocalFailoverStateStore: failover state without ZooKeeper")
struct LocalFailoverStateStoreTests {
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

    @Test("the local store's generation advances with every document it installs, not on a refused write")
    func localStoreGeneration() async throws {
        let a = ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1")])
        let b = ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2")])
        let route = Route(table: "t1", primary: a, backups: [b])
        let store = LocalFailoverStateStore(metrics: FailoverMetrics(), logger: FailoverTesting.logger)
        let start = store.generation
        #expect(store.activeCluster(for: route) == a)
        #expect(store.generation == start)
        var document = EffectiveRoute(
            table: "t1", activeCluster: "B", reason: DecisionReason(.effectiveDown, "x"), since: Date(),
            decidedBy: "me", mode: .failover)
        try await store.write(document, expecting: .absent)
        let switched = store.generation
        #expect(switched != start)
        #expect(store.activeCluster(for: route) == b)
        await #expect(throws: FailoverStateError.self) { try await store.write(document, expecting: .absent) }
        #expect(store.generation == switched)
        document.activeCluster = "A"
        document.mode = .primary
        try await store.write(document, expecting: .version(0))
        #expect(store.generation != switched)
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
