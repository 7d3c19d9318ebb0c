import Foundation
import HealthProbe
import Testing

@testable import FailoverControl

/// `GET /failover` has snake_case keys only (the health snapshot's included), keeps cluster and
/// MetaServer names used as keys as they are, and does not escape `/`.
@Suite("Failover status document keys")
struct FailoverStatusDocumentKeyTests {
    @Test("camelCase field names become snake_case", arguments: [
        ("takenAt", "taken_at"), ("lastRPCOutcome", "last_rpc_outcome"), ("maxLag", "max_lag"),
        ("lastLatencyMilliseconds", "last_latency_milliseconds"), ("already_snake", "already_snake"),
        ("state", "state"), ("duplicationFailures", "duplication_failures"),
    ])
    func snakeCase(key: String, expected: String) {
        #expect(FailoverStatusDocument.snakeCase(key) == expected)
    }

    @Test("the rendered document: snake_case keys, names as keys untouched, slashes unescaped")
    func rendered() throws {
        let now = Date(timeIntervalSince1970: 1_767_322_445)
        let cluster = ClusterHealthSnapshot(
            state: .up, since: now, leader: "127.0.0.1:1", lastVerdict: nil, lastRPCOutcome: nil,
            metas: ["127.0.0.1:1": MetaHealthSnapshot(
                state: .up, since: now, lastError: nil, lastLatencyMilliseconds: 1.5, version: "2.5")],
            recentTransitions: [], history: ClusterHistory())
        let document = FailoverStatusDocument(
            instanceID: "host:1:2", isDecider: false, election: nil,
            stateStore: FailoverStoreStatus(
                source: "zookeeper /pegasus/a", reachable: true, unreachableSince: nil, globallyPaused: false),
            policies: .init(directory: "policies/x", missing: false, lastError: nil, loaded: []),
            protectedTables: ["t1"], effectiveRoutes: [], refusals: [],
            health: HealthSnapshot(
                takenAt: now, clusters: ["clusterA": cluster], duplications: [],
                duplicationFailures: [DuplicationQueryFailure(primaryCluster: "clusterA", table: "t1", at: now, error: "e")]))
        let text = document.render()
        #expect(text.contains(#""zookeeper /pegasus/a""#) && !text.contains(#"\/"#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let health = try #require(object["health"] as? [String: Any])
        #expect(health["taken_at"] != nil && health["takenAt"] == nil)
        let clusters = try #require(health["clusters"] as? [String: Any])
        #expect(Array(clusters.keys) == ["clusterA"])
        let clusterA = try #require(clusters["clusterA"] as? [String: Any])
        let metas = try #require(clusterA["metas"] as? [String: Any])
        #expect(Array(metas.keys) == ["127.0.0.1:1"])
        let meta = try #require(metas["127.0.0.1:1"] as? [String: Any])
        #expect(meta["last_latency_milliseconds"] as? Double == 1.5)
        let failures = try #require(health["duplication_failures"] as? [[String: Any]])
        #expect(failures.first?["primary_cluster"] as? String == "clusterA")
        for key in Self.keys(of: object, skippingChildrenOf: ["clusters", "metas"]) {
            #expect(key == key.lowercased(), "key \(key)")
        }
    }

    /// Every key of a JSON object tree, except the keys directly under the named ones.
    static func keys(of value: Any, skippingChildrenOf names: Set<String>, parent: String = "") -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, child in
                (names.contains(parent) ? [] : [key]) + keys(of: child, skippingChildrenOf: names, parent: key)
            }
        case let array as [Any]:
            return array.flatMap { keys(of: $0, skippingChildrenOf: names, parent: parent) }
        default:
            return []
        }
    }
}
