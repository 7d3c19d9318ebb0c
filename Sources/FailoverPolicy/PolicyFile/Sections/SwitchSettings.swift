import Yams

/// The `switch:` section: when an automatic kind may switch a table to another cluster.
///
/// ```yaml
/// switch: { min_down: 10s, cooldown: 5m, quorum: majority, replica_lease: 20s }
/// ```
public struct SwitchSettings: Hashable, Sendable {
    /// `switch.quorum`: how many live observers must agree before an automatic switch.
    public enum Quorum: Hashable, Sendable, CustomStringConvertible {
        /// `majority`: more than half of the live observers of the cluster.
        case majority
        /// An integer ≥ 1: at least that many live observers.
        case count(Int)

        /// The observers needed out of `live` live observers: `live / 2 + 1` for ``majority``
        /// (1 of 1, 2 of 2, 2 of 3, 3 of 4), the count otherwise (possibly more than `live`: then no
        /// quorum is reachable).
        public func required(live: Int) -> Int {
            switch self {
            case .majority: max(live, 0) / 2 + 1
            case .count(let count): count
            }
        }

        /// `majority` or the count.
        public var description: String {
            switch self {
            case .majority: "majority"
            case .count(let count): "\(count)"
            }
        }
    }

    /// `switch.min_down`: how long the active cluster must have been *down* (that is, counted from
    /// the moment `probe.fall` failures made it down) before a switch. Default `10s`, may be `0`.
    /// A probe glitch shorter than this never switches.
    public var minDown: Duration
    /// `switch.cooldown`: no automatic switch (failover or failback) within this time after the
    /// previous switch of the table, whoever made it. Default `5m`, may be `0`.
    public var cooldown: Duration
    /// `switch.quorum`: how many live observers (meta-proxy instances under the root and the
    /// `failover.peer_roots`) must see the cluster switched away from *down*, and the target *up*,
    /// before an automatic switch. Default ``Quorum/majority``; an integer must be ≥ 1.
    public var quorum: Quorum
    /// `switch.replica_lease`: no automatic switch away from a cluster before this long after the
    /// last time any observer saw any of its MetaServers answer. Pegasus ReplicaServers keep serving
    /// reads and writes for their lease (`fd_lease_seconds`, default 20 s) after their last renewal
    /// with a MetaServer, so switching sooner risks split writes. Default `20s`, may be `0`.
    public var replicaLease: Duration

    /// Creates switch settings; the defaults are those of a policy file without a `switch:` section.
    public init(
        minDown: Duration = .seconds(10),
        cooldown: Duration = .seconds(300),
        quorum: Quorum = .majority,
        replicaLease: Duration = .seconds(20)
    ) {
        self.minDown = minDown
        self.cooldown = cooldown
        self.quorum = quorum
        self.replicaLease = replicaLease
    }
}

extension SwitchSettings {
    /// The `switch:` keys.
    static let keys: Set<String> = ["min_down", "cooldown", "quorum", "replica_lease"]

    /// Reads a `switch:` section; keys it does not set keep their defaults.
    /// - Parameters:
    ///   - node: The section's YAML node.
    ///   - parser: The file's parser (file name for errors, scalar readers).
    /// - Throws: ``PolicyError`` naming `switch.<key>`.
    init(section node: Node, parser: PolicyFileParser) throws(PolicyError) {
        self.init()
        let entries = try parser.section(node, at: "switch", keys: Self.keys)
        try parser.read(entries, "min_down", in: "switch", parser.duration, into: &self.minDown)
        try parser.read(entries, "cooldown", in: "switch", parser.duration, into: &self.cooldown)
        try parser.read(entries, "replica_lease", in: "switch", parser.duration, into: &self.replicaLease)
        try parser.read(
            entries, "quorum", in: "switch",
            { (node, path) throws(PolicyError) -> Quorum in
                let text = try parser.string(node, at: path)
                if text == "majority" {
                    return .majority
                }
                guard let count = Int(text) else {
                    throw PolicyError(
                        code: .invalidValue, file: parser.file, keyPath: path,
                        message: "\"\(text)\" is neither majority nor an integer")
                }
                return .count(count)
            },
            into: &self.quorum)
    }

    /// Checks the ranges listed on each property.
    /// - Parameter spec: The policy, for the file name in errors.
    /// - Throws: ``PolicyError`` naming the first offending `switch.<key>`.
    func validate(in spec: PolicySpec) throws(PolicyError) {
        if minDown < .zero {
            throw spec.invalidValue(at: "switch.min_down", "must not be negative")
        }
        if cooldown < .zero {
            throw spec.invalidValue(at: "switch.cooldown", "must not be negative")
        }
        if replicaLease < .zero {
            throw spec.invalidValue(at: "switch.replica_lease", "must not be negative")
        }
        if case .count(let count) = quorum, count < 1 {
            throw spec.invalidValue(at: "switch.quorum", "must be majority or an integer >= 1, not \(count)")
        }
    }
}
