import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import MetricsTestKit
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing

@testable import FailoverControl

@Suite("PolicyStore: the policy directory")
struct PolicyStoreTests {
    @Test("a missing directory means the built-in manual policy; it is loaded once it appears")
    func missingDirectory() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let store = try PolicyStore(directory: directory.path + "/policies", logger: FailoverTesting.logger)
        #expect(store.isMissing)
        #expect(store.current.policy(for: "t1").name == Policy.builtInDefault.name)
        try FileManager.default.createDirectory(atPath: directory.path + "/policies", withIntermediateDirectories: false)
        try directory.write("policies/fast.yaml", FailoverTesting.policyYAML(kind: "auto-failover"))
        #expect(store.reloadIfChanged())
        #expect(!store.isMissing)
        #expect(store.current.policy(for: "t1").spec.kind == "auto-failover")
    }

    @Test("a changed file is reloaded; a bad file keeps the previous policies and is reported")
    func reload() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("fast.yaml", FailoverTesting.policyYAML(kind: "auto-failover"))
        let store = try PolicyStore(directory: directory.path, logger: FailoverTesting.logger)
        #expect(!store.reloadIfChanged())
        try directory.write("fast.yaml", FailoverTesting.policyYAML(kind: "manual"))
        #expect(store.reloadIfChanged())
        #expect(store.current.policy(for: "t1").spec.kind == "manual")
        try directory.write("fast.yaml", "name: broken\ntables: [\"t1\"]\nkind: no-such-kind\n")
        #expect(!store.reloadIfChanged())
        #expect(store.current.policy(for: "t1").spec.kind == "manual")
        #expect(store.lastError?.contains("fast.yaml") == true)
        #expect(store.summaries().map(\.name) == ["test-manual"])
    }

    @Test("a path that exists but cannot be listed is an error at startup, not \"no policies\"")
    func unlistableAtStartup() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write("policies", "a file where the directory should be\n")
        #expect {
            try PolicyStore(directory: file, logger: FailoverTesting.logger)
        } throws: { error in
            let error = error as? PolicyError
            return error?.code == .unreadable && error?.file == file
                && error?.description.hasSuffix("Not a directory (errno 20)") == true
        }
    }

    @Test("a bad file at startup is an error naming the file")
    func badAtStartup() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("bad.yaml", "tables: [\"t1\"]\nprobe: { interval: 5x }\n")
        #expect {
            try PolicyStore(directory: directory.path, logger: FailoverTesting.logger)
        } throws: { error in
            (error as? PolicyError)?.file?.hasSuffix("bad.yaml") == true
        }
    }

    @Test("a failed reload keeps the previous set and logs the file at fault; the first load must succeed")
    func reloadLogs() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("default.yaml", "tables: [\"*\"]")
        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover")
        let (logger, logs) = RecordingLogHandler.logger()
        let metrics = TestMetrics()
        let store = try PolicyStore(directory: directory.path, metricsFactory: metrics, logger: logger)
        #expect(store.current.policy(for: "orders").spec.kind == "auto-failover")
        #expect(logs.all.last?.message == "policies loaded")
        #expect(try metrics.expectGauge("metaproxy_policy_reload_failed").lastValue == 0)

        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover\nswitch: { cooldown: 30x }")
        #expect(!store.reloadIfChanged())
        #expect(store.current.policy(for: "orders").spec.kind == "auto-failover")
        #expect(store.current.policy(for: "orders").spec.switching.cooldown == .seconds(300))
        let warning = try #require(logs.all.last { $0.level == .warning })
        #expect(warning.message == "policy reload failed, keeping the previous policies")
        #expect(warning.metadata["metaproxy.policy.file"] == "\(directory.path)/orders.yaml")
        #expect(warning.error?.contains("switch.cooldown") == true)
        #expect(try metrics.expectCounter("metaproxy_policy_reload_failures_total").totalValue == 1)
        #expect(try metrics.expectGauge("metaproxy_policy_reload_failed").lastValue == 1)
        // The same broken files looked at again: no new failure (each change counts once).
        #expect(!store.reloadIfChanged())
        #expect(try metrics.expectCounter("metaproxy_policy_reload_failures_total").totalValue == 1)

        try directory.write("orders.yaml", "tables: [orders]\nkind: manual")
        #expect(store.reloadIfChanged())
        #expect(store.current.policy(for: "orders").spec.kind == "manual")
        #expect(logs.all.last?.message == "policies reloaded")
        #expect(try metrics.expectGauge("metaproxy_policy_reload_failed").lastValue == 0)

        try directory.write("bad.yaml", "kind: manual")
        #expect {
            try PolicyStore(directory: directory.path, logger: FailoverTesting.logger)
        } throws: { error in
            (error as? PolicyError)?.code == .missingKey
        }
    }
}
