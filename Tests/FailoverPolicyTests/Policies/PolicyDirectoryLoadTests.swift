import FailoverPolicy
import Foundation
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

    @Test("each loaded policy carries the FNV-1a hash of its file's bytes; a changed file changes it; decision records name both")
    func fileHash() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let text = "name: orders-auto\ntables: [orders]\nkind: auto-failover\n"
        try directory.write("orders.yaml", text)
        let first = try PolicySet.load(directory: directory.path, registry: .builtIn).policy(for: "orders")
        #expect(first.fileHash == Policy.fileHash(of: Array(text.utf8)))
        #expect(first.fileHash?.hasPrefix("fnv1a:") == true && first.fileHash?.count == 6 + 16)
        #expect(Policy.builtInDefault.fileHash == nil)
        try directory.write("orders.yaml", text + "# reviewed\n")
        let second = try PolicySet.load(directory: directory.path, registry: .builtIn).policy(for: "orders")
        #expect(second.fileHash != first.fileHash)

        var record = DecisionRecord(
            table: "orders", from: "a", to: "b", reason: DecisionReason(.operatorRequest, "test"),
            at: Date(timeIntervalSince1970: 0), decidedBy: "cli:t@h", lagDecrees: nil, trigger: .manual)
        record.name(second)
        let json = String(decoding: try FailoverJSON.makeEncoder().encode(record), as: UTF8.self)
        #expect(json.contains("\"policy\":\"orders-auto\"") && json.contains("\"policy_hash\":\"\(second.fileHash ?? "")\""))
        let decoded = try FailoverJSON.makeDecoder().decode(DecisionRecord.self, from: Data(json.utf8))
        #expect(decoded.policy == "orders-auto" && decoded.policyHash == second.fileHash)
    }
}
