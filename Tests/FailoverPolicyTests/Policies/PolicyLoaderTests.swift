import FailoverPolicy
import InMemoryLogging
import Logging
import Testing

@Suite("Policy loader")
struct PolicyLoaderTests {
    @Test("a failed reload keeps the previous set and logs the file at fault")
    func reloadKeepsOldSet() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("default.yaml", "tables: [\"*\"]")
        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover")
        let logs = InMemoryLogHandler()
        let loader = try PolicyLoader(directory: directory.path, logger: Logger(label: "test") { _ in logs })
        #expect(loader.current.policy(for: "orders").spec.kind == "auto-failover")

        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover\nswitch: { cooldown: 30x }")
        let failed = loader.reload()
        guard case .failure(let error) = failed else {
            Issue.record("reload of a bad file succeeded")
            return
        }
        #expect(error.keyPath == "switch.cooldown")
        #expect(loader.current.policy(for: "orders").spec.kind == "auto-failover")
        #expect(loader.current.policy(for: "orders").spec.switching.cooldown == .seconds(300))
        let warning = try #require(logs.entries.last { $0.level == .warning })
        #expect(warning.metadata["metaproxy.policy.file"] == "\(directory.path)/orders.yaml")
        #expect((warning.error as? PolicyError) == error)

        try directory.write("orders.yaml", "tables: [orders]\nkind: manual")
        let reloaded = loader.reload()
        #expect((try? reloaded.get())?.policy(for: "orders").spec.kind == "manual")
        #expect(loader.current.policy(for: "orders").spec.kind == "manual")
    }

    @Test("the first load must succeed")
    func initialLoadFails() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("bad.yaml", "kind: manual")
        let error = #expect(throws: PolicyError.self) {
            try PolicyLoader(directory: directory.path, logger: Logger(label: "test") { _ in InMemoryLogHandler() })
        }
        #expect(error?.code == .missingKey)
    }
}
