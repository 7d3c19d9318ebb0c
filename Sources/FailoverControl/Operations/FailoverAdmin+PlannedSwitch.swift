import FailoverPolicy
import HealthProbe
import PegasusWire
import RouteModel
import Router

extension FailoverAdmin {
    /// The app env that blocks clients on a table's replicas (src/replica/replica_config.cpp).
    public static let denyClientRequest = "replica.deny_client_request"
    /// Writes are dropped without reply: clients time out (the table migrator's step 4).
    public static let denyWrites = "timeout*write"
    /// Reads and writes answer `ERR_INVALID_STATE`: clients re-query their configuration at once.
    public static let reconfigAll = "reconfig*all"
    /// Reason code of a planned switchover.
    public static let plannedSwitchover = DecisionReason.Code(rawValue: "planned_switchover")

    /// Timing of ``plannedSwitch(_:to:options:progress:)``.
    public struct PlannedOptions: Sendable {
        /// How long to wait for the duplication to drain after blocking writes before giving up
        /// and unblocking them. Default 120 s.
        public var maxWait: Duration
        /// The least time between blocking writes and accepting a drained duplication. Replicas
        /// learn app envs on their config sync (`config_sync_interval_ms`, default 30 s) and report
        /// `last_committed_decree` to the MetaServer on their duplication sync (default 10 s; the
        /// replicas' own `/replica/duplication` lag is live), so a lag of 0 read sooner may miss
        /// writes still accepted. Default 40 s; 0 in tests against the simulator.
        public var settle: Duration
        /// Time between two duplication queries. Default 1 s.
        public var pollInterval: Duration
        /// Timeout of each MetaServer request and, on Pegasus 2.4/2.5, each ReplicaServer lag request. Default 5 s.
        public var rpcTimeout: Duration
        /// How long the await-instances step waits for every live instance to route the table to the
        /// target. Default 30 s.
        public var instancesTimeout: Duration
        /// Asked at every safe point (before each step, every drain poll): a reason to stop there
        /// (e.g. `interrupted by SIGINT`), or `nil` to go on.
        public var stopRequested: @Sendable () -> String?

        /// Creates options.
        public init(
            maxWait: Duration = .seconds(120),
            settle: Duration = .seconds(40),
            pollInterval: Duration = .seconds(1),
            rpcTimeout: Duration = .seconds(5),
            instancesTimeout: Duration = .seconds(30),
            stopRequested: @escaping @Sendable () -> String? = { nil }
        ) {
            self.maxWait = maxWait
            self.settle = settle
            self.pollInterval = pollInterval
            self.rpcTimeout = rpcTimeout
            self.instancesTimeout = instancesTimeout
            self.stopRequested = stopRequested
        }
    }

    /// The steps of a planned switchover, in order.
    public enum PlannedStep: String, Codable, Sendable, CaseIterable {
        /// The duplication to the target is `DS_LOG` with a per-partition lag source
        /// (`partition_states`, or the primaries' `/replica/duplication`); the target serves the
        /// table and does not deny clients.
        case check
        /// `replica.deny_client_request=timeout*write` on the source.
        case blockWrites = "block-writes"
        /// Every partition's lag is known and 0 (`confirmed_decree == last_committed_decree`, or the
        /// primary's `not_confirmed_mutations_num == 0`).
        case drain
        /// The effective route names the target (compare-and-set).
        case switchRoute = "switch-route"
        /// Every live instance routes the table to the target (``FleetRouteAcknowledgements``).
        case awaitInstances = "await-instances"
        /// `replica.deny_client_request=reconfig*all` on the source: clients re-query at once.
        case reconfigClients = "reconfig-clients"

        /// 1-based position.
        public var number: Int { (Self.allCases.firstIndex(of: self) ?? 0) + 1 }
    }

    /// A planned operation's step reporter: a debug log line and the caller's progress callback.
    typealias PlannedReport = (PlannedStep, PlannedEvent.Kind, String) -> Void

    /// One line of a planned switchover's progress.
    public struct PlannedEvent: Sendable, CustomStringConvertible {
        /// What happened in the step.
        public enum Kind: String, Sendable {
            /// The step began.
            case started
            /// The step is waiting or observed something.
            case progress
            /// The step succeeded.
            case done
            /// A failure undid what this step had changed.
            case rolledBack = "rolled-back"
            /// Undoing this step failed: the operator must act.
            case rollbackFailed = "rollback-failed"
            /// The operation stopped here at a safe point (resume or abort it).
            case interrupted
            /// `failover planned --abort` undid what this step had changed.
            case aborted
        }

        /// The step.
        public var step: PlannedStep
        /// What happened.
        public var kind: Kind
        /// Details for people.
        public var text: String

        /// `[n/6 step] kind: text`.
        public var description: String {
            "[\(step.number)/\(PlannedStep.allCases.count) \(step.rawValue)] \(kind.rawValue): \(text)"
        }
    }

    /// What the check step found, carried through the later steps.
    struct PlannedSwitchPlan: Sendable {
        var route: Route
        var source: ClusterRoute
        var target: ClusterRoute
        var partitionCount: Int
        /// Where the check read the per-partition lag.
        var lagSource: DuplicationObservation.LagSource?
        /// The source's `replica.deny_client_request` before the switch, restored on rollback.
        var previousDenial: String?
    }
}
