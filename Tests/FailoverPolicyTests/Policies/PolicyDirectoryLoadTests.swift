import FailoverPolicy
import Testing

/// ``PolicySet/load(directory:registry:)``, the pure load the router's `PolicyStore` holds and reloads
/// (its keep-the-previous-set and logging behaviour is tested with the store, in RouterTests).
@Suite("Policy directory load")
struct PolicyDirectoryLoadTests {
    @Test("a bad file fails the load with the file and key at fault; fixed, it loads again")
    func badFileNamesFileAndKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("default.yaml", "tables: [\"*\"]")
        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover")
        let first = try PolicySet.load(directory: directory.path, registry: .builtIn)
        #expect(first.policy(for: "orders").spec.kind == "auto-failover")

        try directory.write("orders.yaml", "tables: [orders]\nkind: auto-failover\nswitch: { cooldown: 30x }")
        let error = #expect(throws: PolicyError.self) {
            try PolicySet.load(directory: directory.path, registry: .builtIn)
        }
        #expect(error?.keyPath == "switch.cooldown")
        #expect(error?.file == "\(directory.path)/orders.yaml")

        try directory.write("orders.yaml", "tables: [orders]\nkind: manual")
        let fixed = try PolicySet.load(directory: directory.path, registry: .builtIn)
        #expect(fixed.policy(for: "orders").spec.kind == "manual")
    }

    @Test("a file without tables fails the load")
    func missingTables() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("bad.yaml", "kind: manual")
        let error = #expect(throws: PolicyError.self) {
            try PolicySet.load(directory: directory.path, registry: .builtIn)
        }
        #expect(error?.code == .missingKey)
    }
}
