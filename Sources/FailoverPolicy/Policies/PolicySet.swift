import Foundation

/// The policies of one policy directory, indexed for lookup by table name.
///
/// Matching (see ``PolicySpec`` for the file format): an exact table name beats every glob; among
/// globs the one with more literal characters wins; nothing matching → ``Policy/builtInDefault``.
/// Conflicts are load errors, so a table's policy never depends on file order:
/// the same exact name in two files is ``PolicyError/Code/duplicateTable``; two globs from
/// different files with the same literal count that some table name could match both
/// (`orders_*` and `*_orders`, or `*` twice) are ``PolicyError/Code/ambiguousPattern``.
public struct PolicySet: Sendable {
    private struct Glob: Sendable {
        let pattern: TablePattern
        let policy: Policy
        /// The policy's index in ``policies``: globs of one policy never conflict.
        let owner: Int
    }

    /// The policies, in file-name order.
    public let policies: [Policy]
    private let exact: [String: Policy]
    /// Most literal characters first.
    private let globs: [Glob]

    /// No policies: every table gets ``Policy/builtInDefault``.
    public static let empty = PolicySet()

    private init() {
        policies = []
        exact = [:]
        globs = []
    }

    /// Indexes policies and checks them for conflicts.
    /// - Parameter policies: Policies, typically one per file.
    /// - Throws: ``PolicyError/Code/duplicateTable`` or ``PolicyError/Code/ambiguousPattern`` naming both files.
    public init(policies: [Policy]) throws(PolicyError) {
        var exact: [String: Policy] = [:]
        var globs: [Glob] = []
        for (owner, policy) in policies.enumerated() {
            for table in policy.spec.tables {
                let pattern = TablePattern(table)
                if pattern.isExact {
                    if let other = exact[table] {
                        throw Self.conflict(.duplicateTable, policy, other, "table \"\(table)\" is also claimed by")
                    }
                    exact[table] = policy
                    continue
                }
                let rival = globs.first {
                    $0.owner != owner && $0.pattern.literalCount == pattern.literalCount && $0.pattern.overlaps(pattern)
                }
                if let rival {
                    let message = "\"\(table)\" is as specific as \"\(rival.pattern.text)\" (a table can match both) in"
                    throw Self.conflict(.ambiguousPattern, policy, rival.policy, message)
                }
                globs.append(Glob(pattern: pattern, policy: policy, owner: owner))
            }
        }
        self.policies = policies
        self.exact = exact
        self.globs = globs.sorted { $0.pattern.literalCount > $1.pattern.literalCount }
    }

    /// Loads every `*.yaml` file directly in `directory` (not `.yml`, not subdirectories, not names
    /// starting with `.`) in file-name order. An empty directory gives an empty set.
    /// - Parameters:
    ///   - directory: The policy directory; errors name files as `directory/file.yaml`.
    ///   - registry: The kinds files may name.
    /// - Throws: The first ``PolicyError`` found.
    public static func load(directory: String, registry: PolicyRegistry) throws(PolicyError) -> PolicySet {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PolicyError(
                code: .unreadable,
                file: directory,
                keyPath: nil,
                message: "cannot list directory: \(error)"
            )
        }
        var policies: [Policy] = []
        for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PolicyError(code: .unreadable, file: path, keyPath: nil, message: "cannot read file")
            }
            guard let yaml = String(data: data, encoding: .utf8) else {
                throw PolicyError(code: .invalidYAML, file: path, keyPath: nil, message: "not UTF-8")
            }
            var policy = try Policy.parse(yaml: yaml, file: path, registry: registry)
            policy.fileHash = Policy.fileHash(of: Array(data))
            policies.append(policy)
        }
        return try PolicySet(policies: policies)
    }

    /// The policy for `table`: exact name, else the most specific matching glob, else
    /// ``Policy/builtInDefault``.
    public func policy(for table: String) -> Policy {
        if let policy = exact[table] {
            return policy
        }
        return globs.first { $0.pattern.matches(table) }?.policy ?? .builtInDefault
    }

    private static func conflict(_ code: PolicyError.Code, _ policy: Policy, _ other: Policy, _ message: String)
        -> PolicyError
    {
        PolicyError(
            code: code,
            file: policy.spec.file,
            keyPath: "tables",
            message: "\(message) \(other.spec.file)",
            otherFile: other.spec.file
        )
    }
}
