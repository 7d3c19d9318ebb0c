import FailoverPolicy
import Testing

/// A custom kind: always routes to the backup named by its own top-level `target:` key.
private struct PinnedKind: FailoverPolicyKind {
    static let name = "pinned"
    static let acceptedKeys: Set<String> = ["target"]
    static let pinned = DecisionReason.Code(rawValue: "pinned")

    let target: String

    init(spec: PolicySpec) throws(PolicyError) {
        guard let target = spec.extra["target"]?.scalar, !target.isEmpty else {
            throw spec.invalidValue(at: "target", "a backup name is required")
        }
        self.target = target
    }

    func decide(_ input: DecisionInput) -> Decision {
        if input.effectiveCluster == target {
            return .keep(DecisionReason(Self.pinned, "on \(target)"))
        }
        return .switchTo(cluster: target, reason: DecisionReason(Self.pinned, "pinned to \(target)"))
    }
}

@Suite("Custom policy kinds")
struct CustomKindTests {
    private func registry() throws -> PolicyRegistry {
        var registry = PolicyRegistry.builtIn
        try registry.register(PinnedKind.self)
        return registry
    }

    @Test("a registered kind is loaded from files and decides")
    func registered() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("pinned.yaml", "tables: [orders]\nkind: pinned\ntarget: b2\nguard: { max_lag_decrees: 5 }")
        let set = try PolicySet.load(directory: directory.path, registry: registry())
        let policy = set.policy(for: "orders")
        #expect(policy.spec.extra == ["target": .scalar("b2")])
        #expect(policy.spec.lagGuard.maxLagDecrees == 5)
        let decision = policy.decide(makeInput(now: 1, primary: up(since: 0)))
        #expect(decision == .switchTo(cluster: "b2", reason: DecisionReason(PinnedKind.pinned, "pinned to b2")))
    }

    @Test("registry lists built-ins and rejects a name twice")
    func registryNames() throws {
        #expect(PolicyRegistry.builtIn.names == ["auto-failover", "auto-failover-failback", "manual"])
        var registry = try registry()
        let error = #expect(throws: PolicyError.self) {
            try registry.register(PinnedKind.self)
        }
        #expect(error?.code == .duplicateKind)
    }

    @Test("unregistered kind, bad kind keys and foreign keys are errors naming the file")
    func errors() throws {
        let unknown = #expect(throws: PolicyError.self) {
            try Policy.parse(yaml: "tables: [t]\nkind: pinned\ntarget: b1", file: "p/pin.yaml", registry: .builtIn)
        }
        #expect(unknown?.code == .unknownKind)

        let missing = #expect(throws: PolicyError.self) {
            try Policy.parse(yaml: "tables: [t]\nkind: pinned", file: "p/pin.yaml", registry: registry())
        }
        #expect(missing?.description == "p/pin.yaml: target: a backup name is required")

        let foreign = #expect(throws: PolicyError.self) {
            try Policy.parse(yaml: "tables: [t]\nkind: manual\ntarget: b1", file: "p/pin.yaml", registry: registry())
        }
        #expect(foreign?.code == .unknownKey)
        #expect(foreign?.keyPath == "target")
    }
}
