import Foundation

/// What the live observers (meta-proxy instances under the root and the `failover.peer_roots`) see
/// of one cluster, as a decision input for `switch.quorum` and `switch.replica_lease`.
///
/// An observer counts for a cluster when its published record is live (its ephemeral node exists and
/// is fresh) and it probes that cluster. The decider counts as an observer with its own, current view.
public struct ObserverView: Hashable, Sendable {
    /// Live observers that probe the cluster.
    public var live: Int
    /// How many of them see it *down*.
    public var down: Int
    /// How many of them see it *up*.
    public var up: Int
    /// The latest time any observer saw any of the cluster's MetaServers answer any probe; `nil`
    /// when none ever did (as far as the live records say).
    public var lastAliveAt: Date?

    /// Creates a view.
    public init(live: Int, down: Int, up: Int, lastAliveAt: Date?) {
        self.live = live
        self.down = down
        self.up = up
        self.lastAliveAt = lastAliveAt
    }

    /// Observers that see the cluster neither up nor down.
    public var unknown: Int { max(live - down - up, 0) }

    /// The view of a single observer whose verdict is `health`: itself alone.
    public static func single(_ health: ClusterHealth, lastAliveAt: Date? = nil) -> ObserverView {
        ObserverView(
            live: 1,
            down: health.state == .down ? 1 : 0,
            up: health.state == .up ? 1 : 0,
            lastAliveAt: lastAliveAt
        )
    }
}
