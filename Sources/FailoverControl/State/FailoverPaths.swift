import PegasusWire
import RouteModel
import Router

/// Where meta-proxy keeps its failover state in ZooKeeper, under the same root as the table nodes.
///
/// ```
/// <root>/<table>                              declared route (RouteDocument JSON), written by operators
/// <root>/.meta-proxy/failover/<table>         effective route (FailoverPolicy.EffectiveRoute JSON):
///                                             active cluster, reason, since, decided_by, lag, mode,
///                                             paused, bounded decision history. Written with
///                                             compare-and-set by the decider or the failover CLI;
///                                             every instance watches it and routes by it.
/// <root>/.meta-proxy/paused                   exists = automation paused for every table (data: JSON
///                                             {"by": ..., "at": ..., "reason": ...})
/// <root>/.meta-proxy/decider/n_<seq>          ephemeral-sequential election nodes; the lowest sequence
///                                             is the decider. Data: the instance id.
/// <root>/.meta-proxy/health                   the decider's latest HealthSnapshot JSON (cluster health,
///                                             duplication lag observations), for `failover status`
///                                             and for the guard of manual switches.
/// <root>/.meta-proxy/planned/<table>          progress of the table's latest planned switchover
///                                             (FailoverAdmin.PlannedRecord JSON): step, state, who
///                                             (operator, OS user, ZooKeeper identity, host, pid), when.
/// <root>/.meta-proxy/planned-lock/<table>     ephemeral: held by the process running a planned
///                                             switchover, resume or abort of the table (data: who).
/// <root>/.meta-proxy/instances/<instance-id>  ephemeral, one per running instance: its InstanceRecord
///                                             JSON (prober verdicts, effective routes), written by
///                                             that instance; read for observer quorum and the fleet.
/// <root>/.meta-proxy/lag/<table>              the last known duplication lag of each of the table's
///                                             links (PersistedLagDocument JSON), written by the decider
///                                             (fenced) only with known values, at most once per table
///                                             every 5 s; a decider elected after the primary died uses
///                                             it in the guard. Ages are judged on ZooKeeper's clock
///                                             (node mtime, and the mtime of a write to `clock`).
///                                             Publishing the health node never touches it.
/// <root>/.meta-proxy/clock                    empty; the decider writes it to read ZooKeeper's time
///                                             (its mtime) when it loads a persisted lag.
/// <root>/.meta-proxy/protected/<table>        empty; exists = the table's route has backups (the
///                                             protected-table index). Written with the route by
///                                             `meta-proxy route ...` (one multi-op), repaired by the
///                                             decider's reconciliation scan (fenced); every instance
///                                             watches the children and loads only these routes.
/// ```
/// `.meta-proxy` cannot be a Pegasus table name (tables have no `-` and do not start with `.`), so
/// it never collides with a table node; `route list` skips it.
public struct FailoverPaths: Sendable, Equatable {
    /// The root of the table nodes, without a trailing slash.
    public let root: String

    /// Paths under `root`.
    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// `<root>/.meta-proxy`.
    public var base: String { join(root, RouteAdmin.reservedChild) }
    /// `<root>/.meta-proxy/failover`.
    public var failoverDirectory: String { base + "/failover" }
    /// `<root>/.meta-proxy/failover/<table>`.
    public func effectiveRoute(of table: String) -> String { failoverDirectory + "/" + table }
    /// `<root>/.meta-proxy/paused`.
    public var paused: String { base + "/paused" }
    /// `<root>/.meta-proxy/decider`.
    public var election: String { base + "/decider" }
    /// Prefix of election nodes (`<election>/n_`), created ephemeral-sequential.
    public var electionNodePrefix: String { election + "/n_" }
    /// `<root>/.meta-proxy/health`.
    public var health: String { base + "/health" }
    /// `<root>/.meta-proxy/planned/<table>`: the table's planned switchover record.
    public func plannedRecord(of table: String) -> String { base + "/planned/" + table }
    /// `<root>/.meta-proxy/planned-lock/<table>`: the ephemeral per-table planned switchover lock.
    public func plannedLock(of table: String) -> String { base + "/planned-lock/" + table }
    /// `<root>/.meta-proxy/instances`: the parent of every instance's ephemeral ``InstanceRecord`` node.
    public var instances: String { base + "/instances" }
    /// `<root>/.meta-proxy/instances/<instance-id>`: the ephemeral node holding that instance's ``InstanceRecord``.
    public func instance(_ id: String) -> String { instances + "/" + id }
    /// `<root>/.meta-proxy/lag`.
    public var lagDirectory: String { base + "/lag" }
    /// `<root>/.meta-proxy/lag/<table>`: the table's persisted duplication lag.
    public func lag(of table: String) -> String { lagDirectory + "/" + table }
    /// `<root>/.meta-proxy/clock`: written to read ZooKeeper's current time (its mtime).
    public var clock: String { base + "/clock" }
    /// `<root>/.meta-proxy/protected`: the protected-table index (``RouteAdmin/protectedIndex``).
    public var protectedIndex: String { RouteAdmin.protectedIndex(root: root) }
    /// `<root>/.meta-proxy/protected/<table>`: the index entry of a table whose route has backups.
    public func protectedIndexEntry(of table: String) -> String { protectedIndex + "/" + table }

    private func join(_ parent: String, _ child: String) -> String {
        parent == "/" ? "/" + child : parent + "/" + child
    }
}
