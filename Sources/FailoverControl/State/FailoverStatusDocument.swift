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

    /// Pretty, sorted-key JSON with a trailing newline.
    func render() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
