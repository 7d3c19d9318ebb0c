import PegasusWire

/// A loaded policy: its spec and the kind instance built from it.
public struct Policy: Sendable {
    /// The validated file contents.
    public let spec: PolicySpec
    /// The rules, built by the kind's `init(spec:)`.
    public let kind: any FailoverPolicyKind
    /// A hash of the policy file's bytes as loaded (`fnv1a:<16 hex digits>`), named in decision
    /// records so a decision can be traced to the exact file; `nil` for a policy not loaded from a
    /// file (``builtInDefault``, ``parse(yaml:file:registry:)``).
    public internal(set) var fileHash: String?

    /// Builds a policy from a spec: validates it, then asks the registered kind to build itself.
    /// - Parameters:
    ///   - spec: The spec; ``PolicySpec/validate()`` runs first.
    ///   - registry: Where ``PolicySpec/kind`` is looked up.
    /// - Throws: ``PolicyError`` naming the spec's file.
    public init(spec: PolicySpec, registry: PolicyRegistry) throws(PolicyError) {
        try spec.validate()
        guard let kindType = registry.kind(named: spec.kind) else {
            throw PolicyError(
                code: .unknownKind,
                file: spec.file,
                keyPath: "kind",
                message: "unknown kind \"\(spec.kind)\" (known: \(registry.names.joined(separator: ", ")))"
            )
        }
        self.spec = spec
        self.kind = try kindType.init(spec: spec)
    }

    /// Parses and validates one policy file's text.
    /// - Parameters:
    ///   - yaml: The file contents.
    ///   - file: The path used in errors and as ``PolicySpec/file``; its base name is the default `name`.
    ///   - registry: The kinds `kind:` may name.
    /// - Throws: ``PolicyError`` naming `file` and the key path.
    public static func parse(yaml: String, file: String, registry: PolicyRegistry) throws(PolicyError) -> Policy {
        try PolicyFileParser(file: file, registry: registry).parse(yaml: yaml)
    }

    /// The policy of a table no file matches: kind `manual`, all defaults, named `built-in-default`.
    public static let builtInDefault: Policy = Policy(spec: PolicySpec(name: "built-in-default", tables: ["*"]))

    private init(spec: PolicySpec) {
        self.spec = spec
        self.kind = ManualKind(spec: spec)
    }

    /// ``PolicySpec/name``.
    public var name: String { spec.name }

    /// The ``fileHash`` of a file's bytes: `fnv1a:` and 16 lowercase hex digits.
    public static func fileHash(of bytes: [UInt8]) -> String {
        let hex = String(ContentHash.fnv1a(bytes), radix: 16)
        return "fnv1a:" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    /// Decides for one table with this policy's kind.
    public func decide(_ input: DecisionInput) -> Decision {
        kind.decide(input)
    }
}
