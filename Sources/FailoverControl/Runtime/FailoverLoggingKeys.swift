import PegasusWire
import RouteModel
import Router

/// Logger metadata keys of the failover runtime.
enum FailoverLoggingKeys {
    /// The table.
    static let table = "metaproxy.table"
    /// A cluster name.
    static let cluster = "metaproxy.cluster"
    /// The cluster a switch leaves.
    static let from = "failover.from"
    /// The cluster a switch goes to.
    static let to = "failover.to"
    /// A decision's reason code.
    static let reasonCode = "failover.reason_code"
    /// A decision's reason text.
    static let reason = "failover.reason"
    /// The duplication lag known at a decision, in decrees.
    static let lag = "failover.lag_decrees"
    /// The deciding instance.
    static let decider = "failover.decider"
    /// The policy a table uses.
    static let policy = "failover.policy"
    /// The policy kind.
    static let policyKind = "failover.policy_kind"
    /// This instance's election node.
    static let electionNode = "failover.election_node"
    /// A ZooKeeper node path.
    static let zkPath = "zk.path"
    /// Duplication observations a new decider took over from the published health node.
    static let seededObservations = "failover.seeded_observations"
    /// An error.
    static let error = "error"
    /// Where the ZooKeeper credentials came from (never the credentials).
    static let authSource = "zk.auth_source"
    /// The failover state node kind a write failed for.
    static let stateNode = "failover.state_node"
    /// The operator name of an action (`cli:<user>@<host>`).
    static let operatorName = "failover.operator"
    /// The OS user running an operator action.
    static let osUser = "failover.os_user"
    /// The ZooKeeper identity an operator action authenticated as (`digest:<user>`, `anonymous`).
    static let zooKeeperIdentity = "zk.identity"
    /// A host name.
    static let host = "failover.host"
    /// A process id.
    static let pid = "failover.pid"
    /// A failover hook (its exec path or URL).
    static let hook = "failover.hook"
}
