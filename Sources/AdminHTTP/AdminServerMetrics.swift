import Metrics
import Synchronization

/// Why the admin listener closed or refused a connection.
public enum AdminCloseReason: String, Sendable, CaseIterable {
    /// The request head was not complete within `server.admin_header_timeout`.
    case headerTimeout = "header_timeout"
    /// No request within `server.admin_idle_timeout` after the last answer.
    case idleTimeout = "idle_timeout"
    /// The request head was over `server.admin_max_head_bytes` (answered `431`).
    case headTooLarge = "head_too_large"
    /// The request had a body (answered `413`).
    case bodySent = "body_sent"
}

/// The admin listener's metrics (swift-metrics), with in-process tallies for tests.
public final class AdminServerMetrics: Sendable {
    private let rejected = Counter(label: "metaproxy_admin_rejected_connections_total")
    private let open = Gauge(label: "metaproxy_admin_connections")
    /// One handle per reason, in `AdminCloseReason.allCases` order.
    private let closed: [Counter] = AdminCloseReason.allCases.map {
        Counter(label: "metaproxy_admin_closed_connections_total", dimensions: [("reason", $0.rawValue)])
    }
    private let rejectedTally = Atomic<Int>(0)
    private let closedTallies = Mutex<[Int]>(AdminCloseReason.allCases.map { _ in 0 })

    /// Creates the handles.
    public init() {}

    /// A connection was refused over `server.admin_max_connections`.
    func connectionRejected() {
        rejected.increment()
        rejectedTally.add(1, ordering: .relaxed)
    }

    /// The number of admin connections open changed.
    func connectionsOpen(_ count: Int) {
        open.record(count)
    }

    /// A connection was closed for `reason`.
    func connectionClosed(_ reason: AdminCloseReason) {
        guard let index = AdminCloseReason.allCases.firstIndex(of: reason) else { return }
        closed[index].increment()
        closedTallies.withLock { $0[index] += 1 }
    }

    /// Connections refused over the cap so far.
    public var rejectedConnectionCount: Int { rejectedTally.load(ordering: .relaxed) }

    /// Connections closed for `reason` so far.
    public func closedConnectionCount(_ reason: AdminCloseReason) -> Int {
        guard let index = AdminCloseReason.allCases.firstIndex(of: reason) else { return 0 }
        return closedTallies.withLock { $0[index] }
    }
}
