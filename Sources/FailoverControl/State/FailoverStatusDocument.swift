import FailoverPolicy
import HealthProbe
import PegasusWire
import RouteModel
import Router

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `GET /failover` document of one instance.
///
/// ```json
/// {
///   "instance_id": "host:4242:34601",
///   "is_decider": true,
///   "election": {"is_decider": true, "node": "n_0000000003", "decider_node": "n_0000000003",
///                "decider_id": "host:4242:34601", "candidates": 2},   // null without ZooKeeper
///   "state_store": {"source": "zookeeper /pegasus", "reachable": true, "globally_paused": false,
///                   "unreadable_tables": []},
///   "policies": {"directory": "policies", "missing": false, "last_error": null,
///                "loaded": [{"name": "fast-auto", "file": "policies/fast.yaml", "kind": "auto-failover",
///                            "tables": ["t1"]}]},
///   "protected_tables": ["t1"],
///   "effective_routes": [EffectiveRoute, ...],      // the stored documents this instance knows
///   "refusals": [{"table": "t1", "cluster": "A", "reason": {"code": "lag_too_high", "text": "..."},
///                 "policy": "fast-auto", "since": "...", "at": "..."}],
///   "health": HealthSnapshot                         // this instance's prober
/// }
/// ```
/// Dates are ISO 8601 UTC, whole seconds.
struct FailoverStatusDocument: Encodable {
    struct Policies: Encodable {
        var directory: String
        var missing: Bool
        var lastError: String?
        var loaded: [PolicyStore.Summary]

        enum CodingKeys: String, CodingKey {
            case directory, missing, loaded
            case lastError = "last_error"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(directory, forKey: .directory)
            try container.encode(missing, forKey: .missing)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(loaded, forKey: .loaded)
        }
    }

    var instanceID: String
    var isDecider: Bool
    var election: DeciderElection.Status?
    var stateStore: FailoverStoreStatus
    var policies: Policies
    var protectedTables: [String]
    var effectiveRoutes: [EffectiveRoute]
    var refusals: [FailoverRefusal]
    var health: HealthSnapshot

    enum CodingKeys: String, CodingKey {
        case election, policies, refusals, health
        case instanceID = "instance_id"
        case isDecider = "is_decider"
        case stateStore = "state_store"
        case protectedTables = "protected_tables"
        case effectiveRoutes = "effective_routes"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(instanceID, forKey: .instanceID)
        try container.encode(isDecider, forKey: .isDecider)
        try container.encode(election, forKey: .election)
        try container.encode(stateStore, forKey: .stateStore)
        try container.encode(policies, forKey: .policies)
        try container.encode(protectedTables, forKey: .protectedTables)
        try container.encode(effectiveRoutes, forKey: .effectiveRoutes)
        try container.encode(refusals, forKey: .refusals)
        try container.encode(health, forKey: .health)
    }

    /// Pretty, sorted-key JSON with a trailing newline; every key snake_case (the health snapshot's
    /// `takenAt` is `taken_at` here), `/` not escaped. Names used as keys (clusters, MetaServers) are
    /// kept as they are.
    func render() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .custom { path in
            let key = path.last.map(\.stringValue) ?? ""
            let parent = path.count >= 2 ? path[path.count - 2].stringValue : ""
            return SnakeCaseKey(Self.namedEntryParents.contains(parent) ? key : Self.snakeCase(key))
        }
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Keys whose children are names (a cluster, a `host:port`), not field names.
    static let namedEntryParents: Set<String> = ["clusters", "metas"]

    /// `lastRPCOutcome` → `last_rpc_outcome`; snake_case stays as it is.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previous = index > 0 ? characters[index - 1] : nil
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsWord =
                    index > 0 && previous != "_"
                    && ((previous?.isLowercase ?? false) || (previous?.isNumber ?? false) || (next?.isLowercase ?? false))
                if startsWord { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }

    private struct SnakeCaseKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ stringValue: String) { self.stringValue = stringValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
