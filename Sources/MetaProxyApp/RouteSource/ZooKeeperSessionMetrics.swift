import Metrics
import ServiceLifecycle
import ZooKeeper

/// The route source's ZooKeeper session in metrics: `metaproxy_zookeeper_session_state{state}` (1 for
/// the current state, 0 for the others; every state exported from startup) and
/// `metaproxy_zookeeper_session_expirations_total`.
struct ZooKeeperSessionMetrics: Service {
    /// The `state` label values, in the order of ``ZooKeeper/SessionState``.
    static let states = ["connecting", "connected", "disconnected", "expired", "auth_failed", "closed"]

    private let client: ZooKeeperClient
    private let gauges: [String: Gauge]
    private let expirations: Counter

    init(client: ZooKeeperClient) {
        self.client = client
        var gauges: [String: Gauge] = [:]
        for state in Self.states {
            gauges[state] = Gauge(label: "metaproxy_zookeeper_session_state", dimensions: [("state", state)])
        }
        self.gauges = gauges
        self.expirations = Counter(label: "metaproxy_zookeeper_session_expirations_total")
        expirations.increment(by: 0)
        record(Self.label(client.sessionState))
    }

    /// The label value of `state`.
    static func label(_ state: SessionState) -> String {
        switch state {
        case .connecting: "connecting"
        case .connected: "connected"
        case .disconnected: "disconnected"
        case .expired: "expired"
        case .authFailed: "auth_failed"
        case .closed: "closed"
        }
    }

    private func record(_ current: String) {
        for (state, gauge) in gauges {
            gauge.record(state == current ? 1 : 0)
        }
    }

    /// Follows the session until shutdown.
    func run() async throws {
        for await state in client.sessionStates().cancelOnGracefulShutdown() {
            if state == .expired {
                expirations.increment()
            }
            record(Self.label(state))
        }
    }
}
