import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import PegasusWire
import RouteModel
import Router
import ZooKeeper

/// The library half of `meta-proxy failover ...`: operator actions on the failover state under a
/// ZooKeeper root (layout: ``FailoverPaths``), testable without the CLI.
///
/// * ``status(of:)`` / ``overview()``: declared vs effective route, health, lag, pause, decider, history.
/// * ``switchTable(_:to:force:drill:)`` and ``switchBack(_:force:)``: operator switches judged by
///   ``FailoverPolicy/ManualSwitch`` with the table's policy and the decider's published health.
/// * ``plannedSwitch(_:to:options:progress:)``: a zero-loss switchover while the source cluster is
///   alive (block writes, drain duplication, switch, await instances, make clients re-query), under a
///   per-table lock and recorded step by step; ``resumePlanned(_:options:progress:)`` and
///   ``abortPlanned(_:options:progress:)`` continue or undo a stopped one.
/// * ``plan(_:now:)``: what the decider's policies would decide now, reading only.
/// * ``pause(table:)``, ``resume(table:)``, ``pauseAll(reason:)``, ``resumeAll()``.
///
/// Every write of an ``FailoverPolicy/EffectiveRoute`` is a compare-and-set against the version read
/// for the decision, so a concurrent decider or operator makes the action fail with
/// ``FailoverAdminError/Code/conflict`` instead of being overwritten.
public struct FailoverAdmin: Sendable {
    /// A stored effective route and its node version.
    public struct StoredRoute: Sendable {
        /// The document.
        public var document: EffectiveRoute
        /// The node's version, for compare-and-set.
        public var version: Int32
    }

    /// The ZooKeeper layout.
    public let paths: FailoverPaths
    let client: ZooKeeperClient
    let routes: RouteAdmin
    let policies: PolicySet
    let upstream: UpstreamPool?
    let replicaLag: ReplicaLagReader?
    let operatorName: String
    /// Who runs the actions, recorded in planned switchover records, locks and pause audit data.
    public let identity: OperatorIdentity
    let fleet: any FleetRouteAcknowledgements
    let acl: ZooKeeperACL?
    let failoverACL: ZooKeeperACL?
    let historyLimit: Int
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Creates the admin over a connected client.
    /// - Parameters:
    ///   - client: A connected ZooKeeper client (the caller closes it).
    ///   - root: The root of the table nodes.
    ///   - policies: The policies whose `guard:` and `failback:` judge operator switches.
    ///   - upstream: The MetaServer client for planned switches; `nil` when none is run.
    ///   - replicaLag: Reads a planned switch's drain from the source's primary ReplicaServers when
    ///     its MetaServers report no `partition_states` (Pegasus 2.4/2.5); `nil` refuses such sources.
    ///   - operatorName: Recorded as `decided_by`, e.g. `cli:alice@host1`.
    ///   - identity: Who runs the actions (OS user, ZooKeeper identity, host, pid); `nil`: this
    ///     process, ZooKeeper identity ``OperatorIdentity/anonymous``.
    ///   - fleet: Which live instances do not route a table to a cluster yet (the planned switchover's
    ///     await-instances step); ``NoFleetRegistry`` when no instance registry is available.
    ///   - acl: The ACL of route nodes (and `<root>`) this admin creates; `nil` uses the client's default.
    ///   - failoverACL: The ACL of failover state nodes (under ``FailoverPaths/base``) this admin creates;
    ///     `nil` uses `acl` (see ``ZooKeeperNodeACLs``).
    ///   - historyLimit: The bound of ``FailoverPolicy/EffectiveRoute/history``.
    ///   - clock: The time of decisions and pauses.
    ///   - logger: Debug lines for each ZooKeeper and MetaServer step.
    public init(
        client: ZooKeeperClient,
        root: String,
        policies: PolicySet = .empty,
        upstream: UpstreamPool? = nil,
        replicaLag: ReplicaLagReader? = nil,
        operatorName: String,
        identity: OperatorIdentity? = nil,
        fleet: any FleetRouteAcknowledgements = NoFleetRegistry(),
        acl: ZooKeeperACL? = nil,
        failoverACL: ZooKeeperACL? = nil,
        historyLimit: Int = EffectiveRoute.defaultHistoryLimit,
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.paths = FailoverPaths(root: root)
        self.client = client
        self.routes = RouteAdmin(client: client, root: root, acl: acl)
        self.policies = policies
        self.upstream = upstream
        self.replicaLag = replicaLag
        self.operatorName = operatorName
        self.identity = identity ?? .current(operatorName: operatorName, zooKeeperIdentity: OperatorIdentity.anonymous)
        self.fleet = fleet
        self.acl = acl
        self.failoverACL = failoverACL ?? acl
        self.historyLimit = historyLimit
        self.clock = clock
        self.logger = logger
    }

    // MARK: Reading

    /// The declared route of `table` (`<root>/<table>`).
    /// - Throws: ``FailoverAdminError/Code/unknownTable``, ``FailoverAdminError/Code/malformedNode`` or
    ///   ``FailoverAdminError/Code/zooKeeper``.
    public func declaredRoute(_ table: String) async throws(FailoverAdminError) -> Route {
        let path = routes.path(of: table)
        do {
            return try await routes.get(table).route
        } catch let error as RouteError where error.code == .unknownTable {
            throw FailoverAdminError(.unknownTable, table: table, path: path, message: "table \(table) has no route")
        } catch let error as RouteError {
            throw FailoverAdminError(.malformedNode, table: table, path: path, message: "\(error)")
        } catch {
            throw FailoverAdminError(.zooKeeper, table: table, path: path, message: "reading the route: \(error)")
        }
    }

    /// The effective route of `table` and its version; `nil` when the node does not exist (the
    /// table is on its declared primary and was never switched).
    /// - Throws: ``FailoverAdminError/Code/malformedNode`` or ``FailoverAdminError/Code/zooKeeper``.
    public func storedRoute(_ table: String) async throws(FailoverAdminError) -> StoredRoute? {
        let path = paths.effectiveRoute(of: table)
        guard let (data, stat) = try await read(path) else {
            return nil
        }
        do {
            return StoredRoute(document: try EffectiveRoute.decode(Data(data), path: path), version: stat.version)
        } catch {
            throw FailoverAdminError(
                .malformedNode, table: table, path: path,
                message: "effective route of \(table) is unreadable: \(error); fix or delete the node")
        }
    }

    /// The decider's latest health snapshot (``FailoverPaths/health``).
    public func health() async throws(FailoverAdminError) -> HealthReading {
        guard let (data, _) = try await read(paths.health) else {
            return .absent
        }
        do {
            return .published(try HealthSnapshot(jsonBytes: data))
        } catch {
            return .unreadable("\(error)")
        }
    }

    /// The current decider: the election node with the lowest sequence and its instance id; `nil`
    /// when no instance takes part in the election.
    public func decider() async throws(FailoverAdminError) -> Decider? {
        let children: [String]
        do {
            children = try await client.children(paths.election)
        } catch {
            guard error.code == .noNode else {
                throw FailoverAdminError(.zooKeeper, path: paths.election, message: "listing the election: \(error)")
            }
            return nil
        }
        for node in ElectionOrder.sorted(children) {
            // A node may vanish between the listing and the read: the next one then decides.
            if let (data, _) = try await read(paths.election + "/" + node) {
                return Decider(node: node, instance: String(decoding: data, as: UTF8.self))
            }
        }
        return nil
    }

    // MARK: ZooKeeper helpers

    /// A node's data and stat, or `nil` when it does not exist.
    func read(_ path: String) async throws(FailoverAdminError) -> (data: [UInt8], stat: ZooKeeperStat)? {
        do {
            return try await client.get(path)
        } catch {
            guard error.code == .noNode else {
                throw FailoverAdminError(.zooKeeper, path: path, message: "reading \(path): \(error)")
            }
            return nil
        }
    }

    /// Writes `document` with compare-and-set: creates the node when `version` is `nil`, else sets it
    /// only if it is still at `version`.
    /// - Throws: ``FailoverAdminError/Code/conflict`` when the node changed (or appeared, or vanished)
    ///   meanwhile; ``FailoverAdminError/Code/zooKeeper`` otherwise.
    func write(_ document: EffectiveRoute, expecting version: Int32?) async throws(FailoverAdminError) {
        let path = paths.effectiveRoute(of: document.table)
        let data: [UInt8]
        do {
            data = Array(try document.jsonData())
        } catch {
            throw FailoverAdminError(.malformedNode, table: document.table, path: path, message: "\(error)")
        }
        let retry = "run `meta-proxy failover status \(document.table)` and retry"
        if version == nil {
            try await ensureRoot()
        }
        do {
            if let version {
                _ = try await client.set(path, data: data, version: version)
            } else {
                _ = try await client.create(path, data: data, acl: failoverACL, createParents: true)
            }
        } catch {
            let meanwhile: String
            switch error.code {
            case .badVersion: meanwhile = "changed meanwhile (node version was \(version ?? -1))"
            case .nodeExists: meanwhile = "was created meanwhile"
            case .noNode: meanwhile = "was deleted meanwhile"
            default:
                throw FailoverAdminError(
                    .zooKeeper, table: document.table, path: path, message: "writing \(path): \(error)")
            }
            throw FailoverAdminError(
                .conflict, table: document.table, path: path,
                message: "effective route of \(document.table) \(meanwhile) at \(path); nothing written; \(retry)")
        }
        logger.debug(
            "effective route written",
            metadata: [
                FailoverLoggingKeys.table: "\(document.table)", FailoverLoggingKeys.zkPath: "\(path)",
                "metaproxy.cluster": "\(document.activeCluster)",
            ])
    }

    /// The document of a table that was never switched: on its declared primary since `now`.
    func initialDocument(_ route: Route, now: Date) -> EffectiveRoute {
        EffectiveRoute(
            table: route.table,
            activeCluster: route.primary.name,
            reason: DecisionReason(Self.declaredPrimary, "on its declared primary, never switched"),
            since: now,
            decidedBy: operatorName,
            mode: .primary
        )
    }

    /// Reason code of a document created before any switch (e.g. by a per-table pause).
    public static let declaredPrimary = DecisionReason.Code(rawValue: "declared_primary")
}
