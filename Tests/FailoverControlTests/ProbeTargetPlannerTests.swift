import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("ProbeTargetPlanner: which clusters are probed, how often")
struct ProbeTargetPlannerTests {
    private static func cluster(_ name: String, _ port: Int) throws -> ClusterRoute {
        ClusterRoute(name: name, metas: [try Endpoint(host: "127.0.0.1", port: port)])
    }

    private static func policy(_ name: String, tables: [String], interval: Duration, fall: Int) throws -> Policy {
        let spec = PolicySpec(
            name: name,
            tables: tables,
            probe: FailoverPolicy.ProbeSettings(interval: interval, timeout: .milliseconds(100), fall: fall, rise: 2)
        )
        return try Policy(spec: spec, registry: .builtIn)
    }

    @Test("every cluster of a route with backups is probed with the most demanding policy's settings")
    func mostDemanding() throws {
        let a = try Self.cluster("A", 1001)
        let b = try Self.cluster("B", 2001)
        let c = try Self.cluster("C", 3001)
        let routes = [
            Route(table: "slow", primary: a, backups: [b]),
            Route(table: "fast", primary: a, backups: [c]),
            Route(table: "plain", primary: c),
        ]
        let policies = try PolicySet(policies: [
            try Self.policy("slow", tables: ["slow"], interval: .milliseconds(300), fall: 2),
            try Self.policy("fast", tables: ["fast"], interval: .milliseconds(500), fall: 1),
        ])
        let targets = ProbeTargetPlanner.targets(for: routes, policies: policies)
        #expect(targets.map(\.cluster) == ["A", "B", "C"])
        let targetA = try #require(targets.first)
        // 500ms × 1 detects sooner than 300ms × 2.
        #expect(targetA.settings.interval == .milliseconds(500))
        #expect(targetA.settings.fall == 1)
        #expect(targetA.rpcTable == "fast")
        #expect(targetA.protectedTables == ["fast": ["C"], "slow": ["B"]])
        // Backups record the reverse duplication (towards the primary) for failback.
        #expect(targets[1].protectedTables == ["slow": ["A"]])
        #expect(targets[1].settings.interval == .milliseconds(300))
        #expect(targets[2].protectedTables == ["fast": ["A"]])
        #expect(
            ProbeTargetPlanner.tickInterval(for: routes, policies: policies, floor: .milliseconds(200), idle: .seconds(1))
                == .milliseconds(300)
        )
        #expect(
            ProbeTargetPlanner.tickInterval(for: [routes[2]], policies: policies, floor: .milliseconds(200), idle: .seconds(1))
                == .seconds(1)
        )
    }
}
