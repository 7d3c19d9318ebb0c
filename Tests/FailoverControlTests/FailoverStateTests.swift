import FailoverPolicy
import Foundation
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl

/// Election and effective-route following against the real ZooKeeper named by `ZK_ADDRESS`.
@Suite("Failover state in ZooKeeper", .serialized, .timeLimit(.minutes(2)))
struct FailoverStateTests {
    @Test("two instances: one decides; when its client goes, the other takes over")
    func election() async throws {
        let root = FailoverTesting.uniqueRoot()
        let paths = FailoverPaths(root: root)
        let first = try await FailoverTesting.connectedClient()
        let second = try await FailoverTesting.connectedClient()
        let metrics = FailoverMetrics()
        let electionA = DeciderElection(
            client: first, paths: paths, instanceID: "a", metrics: metrics, logger: FailoverTesting.logger)
        let electionB = DeciderElection(
            client: second, paths: paths, instanceID: "b", metrics: metrics, logger: FailoverTesting.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await electionA.run() }
            group.addTask { await electionB.run() }
            // Settled: one decider, and the follower has seen who it is.
            let settled = await eventually {
                guard electionA.isDecider != electionB.isDecider else { return false }
                let (decider, follower) = electionA.isDecider ? (electionA, electionB) : (electionB, electionA)
                return follower.status().candidates == 2 && follower.status().deciderID == decider.instanceID
            }
            #expect(settled, "exactly one decider")
            let (decider, follower, deciderClient) =
                electionA.isDecider ? (electionA, electionB, first) : (electionB, electionA, second)
            #expect(follower.status().deciderID == decider.instanceID)
            await deciderClient.close()
            #expect(await eventually { follower.isDecider && !decider.isDecider })
            #expect(follower.status().deciderID == follower.instanceID)
            group.cancelAll()
        }
        await first.close()
        await second.deleteTree(root)
        await second.close()
    }

    @Test("the store follows the effective route node, the pause flag, and checks versions on write")
    func followsDocument() async throws {
        let route = try FailoverTesting.abRoute()
        let (a, b) = (route.primary, route.backups[0])
        let reason = DecisionReason(.operatorRequest, "drill")
        let onB = EffectiveRoute(
            table: "t1", activeCluster: "B", reason: reason, since: Date(), decidedBy: "operator", mode: .drill)
        try await FailoverTesting.withRunningABStore { client, paths, store in
            // Unknown until read, then absent; queries go to the primary meanwhile, never waiting.
            #expect(store.activeCluster(for: route) == a)
            #expect(await eventually { store.state(of: "t1") == .absent })

            // Another process (the CLI) writes the node: the store follows.
            try await client.create(paths.effectiveRoute(of: "t1"), data: Array(try onB.jsonData()), createParents: true)
            #expect(await eventually { store.activeCluster(for: route) == b })
            #expect(store.documents().map(\.activeCluster) == ["B"])

            // A cluster the route does not declare: the primary.
            var elsewhere = onB
            elsewhere.activeCluster = "Z"
            _ = try await client.set(paths.effectiveRoute(of: "t1"), data: Array(try elsewhere.jsonData()))
            #expect(await eventually { store.state(of: "t1").routingDocument?.activeCluster == "Z" })
            #expect(store.activeCluster(for: route) == a)

            // A malformed node keeps the last good document for routing.
            _ = try await client.set(paths.effectiveRoute(of: "t1"), data: Array(try onB.jsonData()))
            #expect(await eventually { store.activeCluster(for: route) == b })
            _ = try await client.set(paths.effectiveRoute(of: "t1"), data: Array("not json".utf8))
            #expect(
                await eventually {
                    if case .malformed = store.state(of: "t1") { return true }
                    return false
                })
            #expect(store.activeCluster(for: route) == b)

            // Deleted: back to the primary.
            try await client.delete(paths.effectiveRoute(of: "t1"))
            #expect(await eventually { store.state(of: "t1") == .absent })
            #expect(store.activeCluster(for: route) == a)

            // Global pause.
            try await client.create(paths.paused, data: [], createParents: true)
            #expect(await eventually { store.isGloballyPaused })
            try await client.delete(paths.paused)
            #expect(await eventually { !store.isGloballyPaused })

            // Compare-and-set: create once, then only at the version read.
            let created = try await store.write(onB, expecting: .absent)
            #expect(store.activeCluster(for: route) == b)
            await #expect(throws: FailoverStateError.self) { try await store.write(onB, expecting: .absent) }
            await #expect(throws: FailoverStateError.self) {
                try await store.write(onB, expecting: .version(created + 5))
            }
            #expect(try await store.write(onB, expecting: .version(created)) == created + 1)
            #expect(store.status().reachable)
        }
    }

    @Test("the store's generation advances when a document is read, changed, removed or written; not on a table's first use")
    func generationFollowsDocuments() async throws {
        let route = try FailoverTesting.abRoute()
        let (a, b) = (route.primary, route.backups[0])
        let onB = EffectiveRoute(
            table: "t1", activeCluster: "B", reason: DecisionReason(.operatorRequest, "drill"), since: Date(),
            decidedBy: "operator", mode: .drill)
        try await FailoverTesting.withRunningABStore { client, paths, store in
            let start = store.generation
            #expect(store.activeCluster(for: route) == a)
            #expect(store.generation == start)
            // The first read (absent) is applied.
            #expect(await eventually { store.state(of: "t1") == .absent })
            #expect(await eventually { store.generation != start })
            let read = store.generation

            // Another process creates the document.
            try await client.create(paths.effectiveRoute(of: "t1"), data: Array(try onB.jsonData()), createParents: true)
            #expect(await eventually { store.activeCluster(for: route) == b })
            // Advanced just after the document is in place.
            #expect(await eventually { store.generation != read })
            let created = store.generation

            // Deleted.
            try await client.delete(paths.effectiveRoute(of: "t1"))
            #expect(await eventually { store.activeCluster(for: route) == a })
            #expect(await eventually { store.generation != created })
            let deleted = store.generation

            // Written by this instance: installed at once.
            try await store.write(onB, expecting: .absent)
            #expect(store.activeCluster(for: route) == b)
            #expect(store.generation != deleted)
        }
    }
}
