import Metrics
import PegasusWire
import RouteModel
import Router
import Synchronization

/// The failover runtime's metric handles, made once per label set and cached.
///
/// - `metaproxy_failover_decisions_total{table,kind}`: switches (`switch`), failbacks
///   (`switch_back`) and refusal episodes (`refuse`, counted when a refusal starts or its reason
///   code changes) made by this instance as decider. `keep` is not counted.
/// - `metaproxy_failover_refusals_total{table,reason}`: refusal episodes by table and reason code (`no_quorum`,
///   `observer_suspect`, `lag_too_high`, ...), for alerts on why automation holds back.
/// - `metaproxy_failover_active_backup{table}`: 1 while the table's effective route is on a backup.
/// - `metaproxy_failover_is_decider`: 1 on the instance that decides.
/// - `metaproxy_failover_state_stale`: 1 while the failover state source (ZooKeeper) is unreachable
///   and routing keeps the last known state.
/// - `metaproxy_failover_state_write_errors_total{node,code}`: failed writes of failover state by this
///   instance (``StateWriteFailures``): `node` is `election`, `effective_route`, `health` or `lag`, `code`
///   `noauth` (the ACL denies this identity), `authfailed` or `zookeeper` (anything else).
/// - `metaproxy_failover_fenced_writes_total{node}`: decider writes ZooKeeper rejected because this
///   instance's election node was gone (``DeciderFence``): `node` is `effective_route`, `lag` or `health`. Each makes
///   the instance stop deciding until the election names it again.
/// - `metaproxy_failover_state_unreadable_total{table,reason}`: reads of a table's effective-route node that
///   gave no document (`reason` `malformed` or `read_error`); routing kept the last known route.
/// - `metaproxy_failover_state_unreadable{table}`: 1 while the table's effective-route node is unreadable.
/// - `metaproxy_failover_tick_seconds`: how long each decider tick took (decisions for every protected
///   table, their batched writes, the health node and the persisted lag); recorded on the decider only.
public final class FailoverMetrics: Sendable {
    /// A `metaproxy_failover_decisions_total` kind.
    public enum DecisionKind: String, Sendable, CaseIterable {
        /// To a backup.
        case switchTo = "switch"
        /// Back to the primary.
        case switchBack = "switch_back"
        /// A refused switch.
        case refuse
    }

    private struct DecisionKey: Hashable {
        var table: String
        var kind: DecisionKind
    }

    private struct RefusalKey: Hashable {
        var table: String
        var reason: String
    }

    private struct WriteErrorKey: Hashable {
        var node: String
        var code: String
    }

    private struct Handles {
        var decisions: [DecisionKey: Counter] = [:]
        var writeErrors: [WriteErrorKey: Counter] = [:]
        var refusals: [RefusalKey: Counter] = [:]
        var activeBackup: [String: Gauge] = [:]
        var fenced: [String: Counter] = [:]
        var unreadable: [WriteErrorKey: Counter] = [:]
        var unreadableNow: [String: Gauge] = [:]
    }

    private let factory: any MetricsFactory
    private let handles = Mutex(Handles())
    private let decider: Gauge
    private let stale: Gauge
    private let tick: Timer

    /// Creates the handles' factory holder.
    /// - Parameter factory: The metrics backend (tests pass a test factory).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        self.decider = Gauge(label: "metaproxy_failover_is_decider", dimensions: [], factory: factory)
        self.stale = Gauge(label: "metaproxy_failover_state_stale", dimensions: [], factory: factory)
        self.tick = Timer(label: "metaproxy_failover_tick_seconds", dimensions: [], factory: factory)
    }

    /// Records how long one decider tick took.
    func deciderTick(_ duration: Duration) {
        tick.recordNanoseconds(duration.nanosecondsClamped)
    }

    /// Counts one refusal episode of `table` by its reason code (a bounded set).
    func refused(table: String, reason code: String) {
        let counter = handle(\.refusals, RefusalKey(table: table, reason: code)) {
            Counter(
                label: "metaproxy_failover_refusals_total", dimensions: [("table", table), ("reason", code)],
                factory: factory)
        }
        counter.increment()
    }

    /// Counts one decision.
    func decided(table: String, kind: DecisionKind) {
        let key = DecisionKey(table: table, kind: kind)
        let counter = handle(\.decisions, key) {
            Counter(
                label: "metaproxy_failover_decisions_total",
                dimensions: [("table", table), ("kind", kind.rawValue)],
                factory: factory
            )
        }
        counter.increment()
    }

    /// Creates `table`'s decision counters (every ``DecisionKind``) at 0, so they are exported from
    /// the moment the table is followed, not from its first decision. Idempotent.
    func prepareDecisions(tables: [String]) {
        for table in tables {
            for kind in DecisionKind.allCases {
                _ = handle(\.decisions, DecisionKey(table: table, kind: kind)) {
                    Counter(
                        label: "metaproxy_failover_decisions_total",
                        dimensions: [("table", table), ("kind", kind.rawValue)],
                        factory: factory
                    )
                }
            }
        }
    }

    /// Records whether `table` is routed to a backup.
    func activeBackup(table: String, _ onBackup: Bool) {
        let gauge = handle(\.activeBackup, table) {
            Gauge(label: "metaproxy_failover_active_backup", dimensions: [("table", table)], factory: factory)
        }
        gauge.record(onBackup ? 1 : 0)
    }

    /// Counts one failed write of failover state.
    func stateWriteFailed(node: String, code: String) {
        let counter = handle(\.writeErrors, WriteErrorKey(node: node, code: code)) {
            Counter(
                label: "metaproxy_failover_state_write_errors_total",
                dimensions: [("node", node), ("code", code)],
                factory: factory
            )
        }
        counter.increment()
    }

    /// Counts one decider write rejected by its fence.
    func fencedWrite(node: String) {
        let counter = handle(\.fenced, node) {
            Counter(label: "metaproxy_failover_fenced_writes_total", dimensions: [("node", node)], factory: factory)
        }
        counter.increment()
    }

    /// Counts one unreadable read of `table`'s effective-route node (`reason`: `malformed`, `read_error`).
    func stateUnreadable(table: String, reason: String) {
        let counter = handle(\.unreadable, WriteErrorKey(node: table, code: reason)) {
            Counter(
                label: "metaproxy_failover_state_unreadable_total",
                dimensions: [("table", table), ("reason", reason)],
                factory: factory
            )
        }
        counter.increment()
    }

    /// Records whether `table`'s effective-route node is unreadable now.
    func stateUnreadableNow(table: String, _ unreadable: Bool) {
        let gauge = handle(\.unreadableNow, table) {
            Gauge(label: "metaproxy_failover_state_unreadable", dimensions: [("table", table)], factory: factory)
        }
        gauge.record(unreadable ? 1 : 0)
    }

    /// Records whether this instance decides.
    func isDecider(_ deciding: Bool) {
        decider.record(deciding ? 1 : 0)
    }

    /// Records whether the state source is unreachable.
    func stateStale(_ isStale: Bool) {
        stale.record(isStale ? 1 : 0)
    }

    /// The cached handle for `key`, made outside the lock on first use; if two callers race, the
    /// first stored wins.
    private func handle<Key: Hashable, Handle: Sendable>(
        _ cache: WritableKeyPath<Handles, [Key: Handle]>,
        _ key: Key,
        make: () -> Handle
    ) -> Handle {
        if let existing = handles.withLock({ $0[keyPath: cache][key] }) {
            return existing
        }
        let made = make()
        return handles.withLock { handles in
            if let existing = handles[keyPath: cache][key] {
                return existing
            }
            handles[keyPath: cache][key] = made
            return made
        }
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    fileprivate var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max : whole + attoseconds / 1_000_000_000
    }
}
