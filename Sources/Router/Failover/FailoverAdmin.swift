import FailoverPolicy
import Foundation
import HealthProbe
import ZooKeeper

/// Operator actions on failover state in ZooKeeper (`meta-proxy failover ...`): read the state
/// of a table, switch it (a DR drill or a manual failover, guarded by the table's policy), switch
/// it back, pause or resume automation. Writes are compare-and-set, so an operator and the
/// decider never overwrite each other's decision unseen.
public struct FailoverAdmin: Sendable {
    /// Why an action was refused or failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// For the operator.
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Everything `failover status` shows for one table.
    public struct TableStatus: Sendable {
        /// The declared route.
        public var route: Route
        /// The effective-route document, `nil` when the table was never switched (on its primary).
        public var effective: EffectiveRoute?
        /// Its node version (for compare-and-set), when present.
        public var version: Int32?
        /// The cluster serving the table now.
        public var activeCluster: String { effective?.activeCluster ?? route.primary.name }
    }

    /// The cluster-wide view: the decider, the global pause, the last published health.
    public struct Overview: Sendable {
        /// The current decider's instance id (the lowest election node), if any.
        public var decider: String?
        /// Whether automation is paused for every table.
        public var globallyPaused: Bool
        /// The decider's last published health, if any.
        public var health: HealthSnapshot?
    }

    private let client: ZooKeeperClient
    private let routes: RouteAdmin
    /// The ZooKeeper layout.
    public let paths: FailoverPaths

    /// Creates the admin over a connected client and the root of the table nodes.
    public init(client: ZooKeeperClient, root: String) {
        self.client = client
        self.routes = RouteAdmin(client: client, root: root)
        self.paths = FailoverPaths(root: root)
    }

    // MARK: - Reading

    /// The declared and effective route of `table`.
    public func status(of table: String) async throws -> TableStatus {
        let route = try await routes.get(table).route
        let (effective, version) = try await effectiveRoute(of: table)
        return TableStatus(route: route, effective: effective, version: version)
    }

    /// The status of every routed table that has backups, by table name.
    public func statusOfProtectedTables() async throws -> [TableStatus] {
        var statuses: [TableStatus] = []
        for case .route(let route) in try await routes.list() where !route.backups.isEmpty {
            let (effective, version) = try await effectiveRoute(of: route.table)
            statuses.append(TableStatus(route: route, effective: effective, version: version))
        }
        return statuses
    }

    /// The decider, the global pause flag and the published health.
    public func overview() async throws -> Overview {
        Overview(decider: try await decider(), globallyPaused: try await exists(paths.paused), health: try await health())
    }

    /// The effective-route document of `table` and its version, or `(nil, nil)`.
    public func effectiveRoute(of table: String) async throws -> (EffectiveRoute?, Int32?) {
        let path = paths.effectiveRoute(of: table)
        var node: (data: [UInt8], stat: ZooKeeperStat)?
        do throws(ZooKeeperError) {
            node = try await client.get(path)
        } catch {
            guard error.code == .noNode else { throw error }
        }
        guard let node else { return (nil, nil) }
        return (try EffectiveRoute.decode(Data(node.data), path: path), node.stat.version)
    }

    /// The health the decider last published, or `nil`.
    public func health() async throws -> HealthSnapshot? {
        do throws(ZooKeeperError) {
            let (data, _) = try await client.get(paths.health)
            return try? HealthSnapshot(jsonBytes: data)
        } catch {
            guard error.code == .noNode else { throw error }
            return nil
        }
    }

    /// The decider's instance id: the data of the lowest election node.
    public func decider() async throws -> String? {
        let nodes: [String]
        do throws(ZooKeeperError) {
            nodes = try await client.children(paths.election)
        } catch {
            guard error.code == .noNode else { throw error }
            return nil
        }
        for node in nodes.sorted(by: { Self.sequence($0) < Self.sequence($1) }) {
            do throws(ZooKeeperError) {
                let (data, _) = try await client.get(paths.election + "/" + node)
                return String(decoding: data, as: UTF8.self)
            } catch {
                continue  // it just went away: the next one decides
            }
        }
        return nil
    }

    private static func sequence(_ node: String) -> Int {
        Int(node.split(separator: "_").last ?? "") ?? Int.max
    }

    private func exists(_ path: String) async throws -> Bool {
        try await client.exists(path) != nil
    }

    // MARK: - Switching

    /// What a switch did.
    public struct SwitchOutcome: Sendable {
        /// The cluster that served the table before.
        public var from: String
        /// The document written.
        public var document: EffectiveRoute
        /// The decision, with its reason.
        public var record: DecisionRecord
    }

    /// Switches `table` to `cluster` (a backup, or its primary for a switch back), after the same
    /// guard the table's policy applies to manual switches (`ManualSwitch.validate`); `force`
    /// overrides the guard. Compare-and-set: fails if the document changed meanwhile.
    /// - Parameters:
    ///   - policy: the table's policy (its guard and failback settings).
    ///   - mode: how the document records the switch (`drill`, `failover`, `planned`); a switch
    ///     to the primary is always `primary`.
    ///   - by: who decided, e.g. `cli:alice@host`.
    public func switchTable(
        _ table: String, to cluster: String, policy: Policy, force: Bool, mode: EffectiveRoute.Mode = .drill,
        by: String, historyLimit: Int = EffectiveRoute.defaultHistoryLimit, now: Date = Date()
    ) async throws -> SwitchOutcome {
        let current = try await status(of: table)
        let overview = try await overview()
        let builder = DecisionInputBuilder(snapshot: overview.health ?? HealthSnapshot(takenAt: now, clusters: [:], duplications: [], duplicationFailures: []))
        let input = builder.input(
            for: current.route, document: current.effective, globallyPaused: overview.globallyPaused, now: now)
        let decision: Decision
        switch ManualSwitch.validate(to: cluster, input: input, spec: policy.spec, force: force) {
        case .success(let allowed): decision = allowed
        case .failure(let refusal):
            throw Failure("refused: \(refusal.reason.text)\(force ? "" : " (--force overrides the guard)")")
        }
        guard
            let record = DecisionRecord(
                decision: decision, input: input, decidedBy: by, trigger: force ? .forced : .manual)
        else { throw Failure("nothing to do: \(table) is already on \(cluster)") }
        let isBack = cluster == current.route.primary.name
        var document =
            current.effective
            ?? EffectiveRoute(
                table: table, activeCluster: current.route.primary.name, reason: record.reason, since: now,
                decidedBy: by, mode: .primary)
        document.apply(record, mode: isBack ? .primary : mode, historyLimit: historyLimit)
        try await write(document, version: current.version)
        return SwitchOutcome(from: input.effectiveCluster, document: document, record: record)
    }

    // MARK: - Pausing

    /// Pauses (or resumes) automation for one table: the `paused` flag of its document.
    public func setPaused(_ paused: Bool, table: String, by: String, now: Date = Date()) async throws {
        let current = try await status(of: table)
        var document =
            current.effective
            ?? EffectiveRoute(
                table: table, activeCluster: current.route.primary.name,
                reason: DecisionReason(.operatorRequest, "created by \(paused ? "pause" : "resume")"), since: now,
                decidedBy: by, mode: .primary)
        guard document.paused != paused else { return }
        document.paused = paused
        try await write(document, version: current.version)
    }

    /// Pauses automation for every table (creates the `paused` node) or resumes it (deletes it).
    public func setGloballyPaused(_ paused: Bool, by: String, reason: String, now: Date = Date()) async throws {
        if paused {
            let note: [String: String] = ["by": by, "at": ISO8601DateFormatter().string(from: now), "reason": reason]
            let data = Array((try? JSONSerialization.data(withJSONObject: note, options: [.sortedKeys])) ?? Data())
            do throws(ZooKeeperError) {
                _ = try await client.create(paths.paused, data: data, createParents: true)
            } catch {
                guard error.code == .nodeExists else { throw error }
            }
        } else {
            do throws(ZooKeeperError) {
                try await client.delete(paths.paused)
            } catch {
                guard error.code == .noNode else { throw error }
            }
        }
    }

    func write(_ document: EffectiveRoute, version: Int32?) async throws {
        let path = paths.effectiveRoute(of: document.table)
        let data = Array(try document.jsonData())
        do throws(ZooKeeperError) {
            if let version {
                _ = try await client.set(path, data: data, version: version)
            } else {
                _ = try await client.create(path, data: data, createParents: true)
            }
        } catch {
            guard error.code == .badVersion || error.code == .nodeExists || error.code == .noNode else { throw error }
            throw Failure("the failover state of \(document.table) changed meanwhile (\(error.code)); check `failover status` and retry")
        }
    }
}
