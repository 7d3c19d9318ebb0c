/// The policy kinds a ``PolicySet`` may use, by name.
public struct PolicyRegistry: Sendable {
    private var kinds: [String: any FailoverPolicyKind.Type]

    /// An empty registry.
    public init() {
        kinds = [:]
    }

    /// `manual`, `auto-failover` and `auto-failover-failback`.
    public static let builtIn: PolicyRegistry = {
        var registry = PolicyRegistry()
        registry.kinds[ManualKind.name] = ManualKind.self
        registry.kinds[AutoFailoverKind.name] = AutoFailoverKind.self
        registry.kinds[AutoFailoverFailbackKind.name] = AutoFailoverFailbackKind.self
        return registry
    }()

    /// Adds a kind.
    /// - Parameter kind: The conforming type.
    /// - Throws: ``PolicyError/Code/duplicateKind`` when its name is already registered.
    public mutating func register(_ kind: any FailoverPolicyKind.Type) throws(PolicyError) {
        guard kinds[kind.name] == nil else {
            throw PolicyError(
                code: .duplicateKind,
                file: nil,
                keyPath: nil,
                message: "policy kind \"\(kind.name)\" is already registered"
            )
        }
        kinds[kind.name] = kind
    }

    /// The kind registered as `name`.
    public func kind(named name: String) -> (any FailoverPolicyKind.Type)? {
        kinds[name]
    }

    /// The registered names, sorted.
    public var names: [String] {
        kinds.keys.sorted()
    }
}
