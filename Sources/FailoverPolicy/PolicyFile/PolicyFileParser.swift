import Yams

/// Turns one policy file's YAML into a ``Policy``; every error names the file and the key path.
struct PolicyFileParser {
    /// Keys every kind accepts.
    static let commonKeys: Set<String> = ["name", "tables", "kind", "probe", "switch", "guard"]
    /// Sections this parser reads itself (the rest of a kind's accepted keys go to `extra`).
    static let builtInKeys: Set<String> = commonKeys.union(["failback"])

    let file: String
    let registry: PolicyRegistry

    func parse(yaml: String) throws(PolicyError) -> Policy {
        let root = try rootMapping(yaml)
        let kindName = try root["kind"].map { node throws(PolicyError) in try string(node, at: "kind") }
        guard let kind = registry.kind(named: kindName ?? ManualKind.name) else {
            let known = registry.names.joined(separator: ", ")
            throw PolicyError(
                code: .unknownKind,
                file: file,
                keyPath: "kind",
                message: "unknown kind \"\(kindName ?? "")\" (known: \(known))"
            )
        }
        try rejectUnknownKeys(root, accepted: Self.commonKeys.union(kind.acceptedKeys), at: nil)
        guard let tables = root["tables"] else {
            throw PolicyError(code: .missingKey, file: file, keyPath: "tables", message: "required")
        }
        var spec = PolicySpec(
            name: defaultName,
            file: file,
            tables: try stringList(tables, at: "tables"),
            kind: kind.name
        )
        if let name = root["name"] {
            spec.name = try string(name, at: "name")
        }
        // One file per section (Sections/): its keys, how it is read, how it is validated.
        if let node = root["probe"] {
            spec.probe = try ProbeSettings(section: node, parser: self)
        }
        if let node = root["switch"] {
            spec.switching = try SwitchSettings(section: node, parser: self)
        }
        if let node = root["failback"] {
            spec.failback = try FailbackSettings(section: node, parser: self)
        }
        if let node = root["guard"] {
            spec.lagGuard = try GuardSettings(section: node, parser: self)
        }
        for (key, node) in root where !Self.builtInKeys.contains(key) {
            spec.extra[key] = policyValue(node)
        }
        return try Policy(spec: spec, registry: registry)
    }

    /// The file's base name without `.yaml`.
    private var defaultName: String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        return base.hasSuffix(".yaml") ? String(base.dropLast(".yaml".count)) : base
    }

    private func rootMapping(_ yaml: String) throws(PolicyError) -> [String: Node] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let firstLine = String(describing: error).split(separator: "\n").first.map(String.init) ?? ""
            throw PolicyError(code: .invalidYAML, file: file, keyPath: nil, message: firstLine)
        }
        guard let root else {
            throw PolicyError(code: .invalidYAML, file: file, keyPath: nil, message: "empty file, expected a mapping")
        }
        return try mapping(root, at: nil)
    }

    /// The entries of section `path`, rejecting keys outside `keys`.
    func section(_ node: Node, at path: String, keys: Set<String>) throws(PolicyError) -> [String: Node] {
        let entries = try mapping(node, at: path)
        try rejectUnknownKeys(entries, accepted: keys, at: path)
        return entries
    }

    private func rejectUnknownKeys(_ entries: [String: Node], accepted: Set<String>, at path: String?)
        throws(PolicyError)
    {
        guard let unknown = entries.keys.sorted().first(where: { !accepted.contains($0) }) else {
            return
        }
        throw PolicyError(
            code: .unknownKey,
            file: file,
            keyPath: join(path, unknown),
            message: "unknown key (accepted here: \(accepted.sorted().joined(separator: ", ")))"
        )
    }

    /// Converts `entries[key]` into `target` when present; the key path is `section.key`.
    func read<Value>(
        _ entries: [String: Node],
        _ key: String,
        in section: String,
        _ convert: (Node, String) throws(PolicyError) -> Value,
        into target: inout Value
    ) throws(PolicyError) {
        if let node = entries[key] {
            target = try convert(node, "\(section).\(key)")
        }
    }

    private func mapping(_ node: Node, at path: String?) throws(PolicyError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw invalid(path, "expected a mapping of keys to values")
        }
        var entries: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw invalid(path, "keys must be plain strings")
            }
            entries[scalar.string] = value
        }
        return entries
    }

    /// A string scalar.
    func string(_ node: Node, at path: String) throws(PolicyError) -> String {
        guard case .scalar(let scalar) = node else {
            throw invalid(path, "expected a string")
        }
        return scalar.string
    }

    private func stringList(_ node: Node, at path: String) throws(PolicyError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw invalid(path, "expected a list, e.g. [\"t1\", \"orders_*\"]")
        }
        var strings: [String] = []
        for (index, element) in sequence.enumerated() {
            strings.append(try string(element, at: "\(path)[\(index)]"))
        }
        return strings
    }

    /// A decimal integer scalar.
    func integer(_ node: Node, at path: String) throws(PolicyError) -> Int {
        let text = try string(node, at: path)
        guard let value = Int(text) else {
            throw invalid(path, "\"\(text)\" is not an integer")
        }
        return value
    }

    /// A duration scalar (``PolicyDuration``).
    func duration(_ node: Node, at path: String) throws(PolicyError) -> Duration {
        let text = try string(node, at: path)
        guard let value = PolicyDuration.parse(text) else {
            let hint = Int(text) == nil ? "e.g. 500ms, 2s, 1m, 1h" : "add a unit: ms, s, m or h"
            throw invalid(path, "\"\(text)\" is not a duration (\(hint))")
        }
        return value
    }

    /// `true` or `false`.
    func bool(_ node: Node, at path: String) throws(PolicyError) -> Bool {
        switch try string(node, at: path) {
        case "true": return true
        case "false": return false
        case let text: throw invalid(path, "\"\(text)\" is not true or false")
        }
    }

    private func policyValue(_ node: Node) -> PolicyValue {
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string)
        case .sequence(let sequence):
            return .list(sequence.map(policyValue))
        case .mapping(let mapping):
            var entries: [String: PolicyValue] = [:]
            for (key, value) in mapping {
                entries[key.scalar?.string ?? "\(key)"] = policyValue(value)
            }
            return .map(entries)
        case .alias:
            return .scalar("")  // Yams.compose resolves aliases to their nodes; never reached.
        }
    }

    private func invalid(_ path: String?, _ message: String) -> PolicyError {
        PolicyError(code: .invalidValue, file: file, keyPath: path, message: message)
    }

    private func join(_ path: String?, _ key: String) -> String {
        path.map { "\($0).\(key)" } ?? key
    }
}
