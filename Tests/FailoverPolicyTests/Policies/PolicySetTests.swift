import Testing

@testable import FailoverPolicy

@Suite("Policy sets")
struct PolicySetTests {
    private func policy(_ file: String, _ tables: [String], kind: String = "manual") throws -> Policy {
        try Policy(spec: PolicySpec(name: file, file: file, tables: tables, kind: kind), registry: .builtIn)
    }

    @Test("exact beats glob, more literal characters beat fewer, * is the default")
    func mostSpecific() throws {
        let set = try PolicySet(policies: [
            policy("all.yaml", ["*"]),
            policy("orders.yaml", ["orders_*"]),
            policy("orders-eu.yaml", ["orders_eu_*"]),
            policy("exact.yaml", ["orders_eu_1"], kind: "auto-failover"),
            policy("cache.yaml", ["cache_??"]),
        ])
        #expect(set.policy(for: "orders_eu_1").name == "exact.yaml")
        #expect(set.policy(for: "orders_eu_1").spec.kind == "auto-failover")
        #expect(set.policy(for: "orders_eu_2").name == "orders-eu.yaml")
        #expect(set.policy(for: "orders_us_1").name == "orders.yaml")
        #expect(set.policy(for: "orders_").name == "orders.yaml")
        #expect(set.policy(for: "cache_01").name == "cache.yaml")
        #expect(set.policy(for: "cache_1").name == "all.yaml")
        #expect(set.policy(for: "users").name == "all.yaml")
    }

    @Test("no match and no * gives the built-in manual default")
    func builtInDefault() throws {
        let set = try PolicySet(policies: [policy("orders.yaml", ["orders"], kind: "auto-failover")])
        let fallback = set.policy(for: "users")
        #expect(fallback.name == "built-in-default")
        #expect(fallback.spec.kind == "manual")
        #expect(PolicySet.empty.policy(for: "users").name == "built-in-default")
    }

    @Test("the same exact table in two files is an error naming both")
    func duplicateExact() throws {
        let first = try policy("policies/a.yaml", ["t1", "t2"])
        let second = try policy("policies/b.yaml", ["t3", "t2"])
        let error = #expect(throws: PolicyError.self) {
            try PolicySet(policies: [first, second])
        }
        #expect(error?.code == .duplicateTable)
        #expect(error?.file == "policies/b.yaml")
        #expect(error?.otherFile == "policies/a.yaml")
        #expect(error?.description.contains("policies/a.yaml") == true)
        #expect(error?.description.contains("\"t2\"") == true)
    }

    @Test(
        "globs of equal specificity that can match one table are ambiguous",
        arguments: [("orders_*", "*_orders"), ("*", "*"), ("a?c", "?bc"), ("x*y", "x*y")]
    )
    func ambiguous(first: String, second: String) throws {
        let error = #expect(throws: PolicyError.self) {
            try PolicySet(policies: [policy("policies/a.yaml", [first]), policy("policies/b.yaml", [second])])
        }
        #expect(error?.code == .ambiguousPattern)
        #expect(error?.file == "policies/b.yaml")
        #expect(error?.otherFile == "policies/a.yaml")
    }

    @Test(
        "globs that differ in specificity or cannot overlap are fine",
        arguments: [("orders_*", "ord*"), ("a*", "b*"), ("*x", "*y"), ("a?", "a??")]
    )
    func notAmbiguous(first: String, second: String) throws {
        _ = try PolicySet(policies: [policy("policies/a.yaml", [first]), policy("policies/b.yaml", [second])])
    }

    @Test("overlapping globs of one policy do not conflict")
    func samePolicyOverlap() throws {
        let set = try PolicySet(policies: [policy("policies/a.yaml", ["orders_*", "*_orders"])])
        #expect(set.policy(for: "orders_x_orders").name == "policies/a.yaml")
    }

    @Test("glob matching and overlap")
    func patterns() {
        #expect(TablePattern("orders_*").matches("orders_1"))
        #expect(TablePattern("orders_*").matches("orders_"))
        #expect(!TablePattern("orders_*").matches("order"))
        #expect(TablePattern("*a*b*").matches("xaybz"))
        #expect(!TablePattern("*a*b*").matches("ba"))
        #expect(TablePattern("t?").matches("t1"))
        #expect(!TablePattern("t?").matches("t"))
        #expect(TablePattern("t1").isExact)
        #expect(!TablePattern("t*").isExact)
        #expect(TablePattern("o?d*s").literalCount == 3)
        #expect(TablePattern("a*").overlaps(TablePattern("*b")))
        #expect(!TablePattern("a*").overlaps(TablePattern("b*")))
        #expect(!TablePattern("a?").overlaps(TablePattern("a")))
        #expect(TablePattern("a**b").overlaps(TablePattern("ab")))
    }

    @Test("load reads *.yaml only, in file-name order, and names files in errors")
    func loadDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("b.yaml", "tables: [\"orders_*\"]\nkind: auto-failover")
        try directory.write("a.yaml", "tables: [\"*\"]")
        try directory.write("ignored.yml", "this: [is not checked")
        try directory.write(".editor-swap.yaml", "neither: [is this")
        try directory.makeSubdirectory("examples")
        try directory.write("examples/x.yaml", "tables: [\"*\"]")

        let set = try PolicySet.load(directory: directory.path, registry: .builtIn)
        #expect(set.policies.map(\.name) == ["a", "b"])
        #expect(set.policy(for: "orders_1").spec.kind == "auto-failover")
        #expect(set.policy(for: "orders_1").spec.file == directory.path + "/b.yaml")

        try directory.write("c.yaml", "tables: [t1]\nswitch: { cooldown: 30x }")
        let error = #expect(throws: PolicyError.self) {
            try PolicySet.load(directory: directory.path, registry: .builtIn)
        }
        #expect(error?.description.hasPrefix("\(directory.path)/c.yaml: switch.cooldown: ") == true)
    }

    @Test("an empty directory gives an empty set; a missing one is an error")
    func emptyAndMissing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try PolicySet.load(directory: directory.path, registry: .builtIn).policies.isEmpty)
        let error = #expect(throws: PolicyError.self) {
            try PolicySet.load(directory: directory.path + "/missing", registry: .builtIn)
        }
        #expect(error?.code == .unreadable)
        #expect(error?.file == directory.path + "/missing")
    }

    @Test("the shipped policies load: manual catch-all; the examples are valid too")
    func shippedPolicies() throws {
        let shipped = try PolicySet.load(directory: shippedPoliciesDirectory, registry: .builtIn)
        #expect(shipped.policies.map(\.name) == ["default"])
        #expect(shipped.policy(for: "any_table").spec.kind == "manual")

        let examples = try PolicySet.load(directory: shippedPoliciesDirectory + "/examples", registry: .builtIn)
        #expect(examples.policy(for: "orders_eu").name == "fast-auto")
        #expect(examples.policy(for: "orders_eu").spec.lagGuard.maxLagAge == .seconds(30))
        #expect(examples.policy(for: "cache_01").spec.kind == "auto-failover-failback")
        #expect(examples.policy(for: "sessions").spec.failback.afterHealthy == .seconds(900))
        // Shipped defaults and examples respect Pegasus's default replica lease (fd_lease_seconds 20 s)
        // and the observer majority.
        for policy in shipped.policies + examples.policies {
            #expect(policy.spec.switching.replicaLease >= .seconds(20), "\(policy.name)")
            #expect(policy.spec.switching.quorum == .majority, "\(policy.name)")
        }
    }
}
