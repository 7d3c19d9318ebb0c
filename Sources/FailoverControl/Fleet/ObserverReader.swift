import FailoverPolicy
import HealthProbe
import Logging
import Synchronization
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the decider gets the observer views of its ``DecisionInput``s.
protocol ObserverSource: Sendable {
    /// Brings the views up to date if they are older than the source's refresh interval.
    func refreshIfDue() async
    /// Per cluster: what the live observers, this instance included (with `own`, its current
    /// snapshot), see at `now`.
    func observerViews(own: HealthSnapshot, now: Date) -> [String: ObserverView]
}

/// Without ZooKeeper (routes file): this instance is the only observer.
struct LocalObserverSource: ObserverSource {
    let tracker: LastAliveTracker

    func refreshIfDue() async {}

    func observerViews(own: HealthSnapshot, now: Date) -> [String: ObserverView] {
        ObserverReader.ownViews(own, lastAlive: tracker.update(own))
    }
}

/// Reads every ``InstanceRecord`` under the root and the `failover.peer_roots`
/// (`<root>/.meta-proxy/instances/*`), and answers per cluster how many live observers see it up or
/// down and when any of them last saw it alive.
///
/// **Cost.** One refresh lists each root's `instances` node and reads each record: 1 + N reads per
/// root. The decider refreshes at most once per ``Settings/refreshInterval`` (1 s), whatever the
/// number of tables; other instances do not read at all.
///
/// **Ages across hosts.** A record's age is ZooKeeper-now minus its node's `mtime`, ZooKeeper-now
/// being estimated from this instance's own last write (``ZooKeeperClock``), so no two hosts' wall
/// clocks are compared. A record older than ``Settings/staleAfter`` (its writer stopped writing but
/// its session lives, e.g. a paused process) is not a live observer. An observer's "last alive" of
/// a cluster is its write time minus the record's `last_alive_ms_ago`.
public final class ObserverReader: ObserverSource, Sendable {
    /// Timing.
    public struct Settings: Sendable {
        /// The oldest a record may be and still count as a live observer. Default 10 s (5 heartbeats).
        public var staleAfter: Duration
        /// The smallest pause between two refreshes by ``refreshIfDue()``. Default 1 s.
        public var refreshInterval: Duration

        /// Creates settings.
        public init(staleAfter: Duration = .seconds(10), refreshInterval: Duration = .seconds(1)) {
            self.staleAfter = staleAfter
            self.refreshInterval = refreshInterval
        }
    }

    private struct Read: Sendable {
        var member: FleetView.Member
        /// The local monotonic instant the record was written, as estimated at the read.
        var writtenAt: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var reads: [Read] = []
        var errors: [String: String] = [:]
        var readAt: Date?
        var lastRefresh: ContinuousClock.Instant?
        var refreshing = false
        var reportedErrors: Set<String> = []
    }

    /// Timing.
    public let settings: Settings
    private let client: ZooKeeperClient
    private let roots: [String]
    private let ownInstance: String?
    let clock: ZooKeeperClock
    private let tracker: LastAliveTracker
    private let logger: Logger
    private let state = Mutex(State())

    /// A reader for a process without an instance record of its own (e.g. an operator command):
    /// ages are estimated against this host's wall clock.
    /// - Parameters:
    ///   - client: A connected ZooKeeper client.
    ///   - root: The own root (`zookeeper.root`).
    ///   - peerRoots: `failover.peer_roots`.
    ///   - settings: Timing.
    ///   - logger: Unreadable records at warning, once per node.
    public convenience init(
        client: ZooKeeperClient, root: String, peerRoots: [String], settings: Settings = Settings(), logger: Logger
    ) {
        self.init(
            client: client, root: root, peerRoots: peerRoots, ownInstance: nil, clock: ZooKeeperClock(),
            tracker: LastAliveTracker(), settings: settings, logger: logger)
    }

    init(
        client: ZooKeeperClient,
        root: String,
        peerRoots: [String],
        ownInstance: String?,
        clock: ZooKeeperClock,
        tracker: LastAliveTracker,
        settings: Settings = Settings(),
        logger: Logger
    ) {
        self.client = client
        var roots = [FailoverPaths(root: root).root]
        for peer in peerRoots.map({ FailoverPaths(root: $0).root }) where !roots.contains(peer) {
            roots.append(peer)
        }
        self.roots = roots
        self.ownInstance = ownInstance
        self.clock = clock
        self.tracker = tracker
        self.settings = settings
        self.logger = logger
    }

    /// Refreshes when the last refresh is older than ``Settings/refreshInterval`` and none runs.
    public func refreshIfDue() async {
        let due = state.withLock { state -> Bool in
            if state.refreshing { return false }
            if let last = state.lastRefresh, ContinuousClock.now - last < settings.refreshInterval { return false }
            state.refreshing = true
            return true
        }
        guard due else { return }
        await refresh()
    }

    /// Reads every record under the root and the peer roots now.
    public func refresh() async {
        var reads: [Read] = []
        var errors: [String: String] = [:]
        for (index, root) in roots.enumerated() {
            let directory = FailoverPaths(root: root).instances
            let names: [String]
            do throws(ZooKeeperError) {
                names = try await client.children(directory).sorted()
            } catch where error.code == .noNode {
                continue
            } catch {
                errors[directory] = "\(error)"
                continue
            }
            for name in names {
                let path = directory + "/" + name
                do {
                    let (data, stat) = try await client.get(path)
                    let readAt = ContinuousClock.now
                    let record = try InstanceRecord.decode(data, path: path)
                    let age = max(clock.now(at: readAt) - stat.mtime, 0)
                    let member = FleetView.Member(
                        root: root, ownRoot: index == 0, record: record, mtime: stat.mtime, ageMs: age,
                        live: age <= ZooKeeperClock.milliseconds(settings.staleAfter))
                    reads.append(Read(member: member, writtenAt: readAt - .milliseconds(age)))
                } catch let error as ZooKeeperError where error.code == .noNode {
                    continue
                } catch {
                    errors[path] = "\(error)"
                }
            }
        }
        let newErrors = state.withLock { state -> [String: String] in
            state.reads = reads
            state.errors = errors
            state.readAt = Date()
            state.lastRefresh = .now
            state.refreshing = false
            let fresh = errors.filter { !state.reportedErrors.contains($0.key) }
            state.reportedErrors = Set(errors.keys)
            return fresh
        }
        for (path, error) in newErrors.sorted(by: { $0.key < $1.key }) {
            logger.warning(
                "An instance record could not be read; it does not count as an observer",
                metadata: [FailoverLoggingKeys.zkPath: "\(path)", FailoverLoggingKeys.error: "\(error)"])
        }
    }

    /// Every record read at the last refresh (liveness as of that refresh).
    public func fleet() -> FleetView {
        state.withLock { state in
            FleetView(members: state.reads.map(\.member), errors: state.errors, readAt: state.readAt)
        }
    }

    /// The ids of the live instances under the own root (not the peer roots) whose record does not
    /// route `table` to `cluster` (a different cluster, or the table not tracked yet), as of the last
    /// refresh, sorted. Empty = every live instance routes the table there.
    public func instancesNotRouting(table: String, to cluster: String) -> [String] {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.reads
                .filter { $0.member.ownRoot && isLive($0, at: now) && $0.member.record.routes[table]?.cluster != cluster }
                .map(\.member.record.instance)
                .sorted()
        }
    }

    /// Per cluster: the live observers (records read at the last refresh that are still fresh, this
    /// instance's record replaced by `own`, its current snapshot).
    func observerViews(own: HealthSnapshot, now: Date) -> [String: ObserverView] {
        var views = Self.ownViews(own, lastAlive: tracker.update(own))
        let monotonicNow = ContinuousClock.now
        let reads = state.withLock { $0.reads }
        for read in reads where isLive(read, at: monotonicNow) {
            if read.member.ownRoot, read.member.record.instance == ownInstance { continue }
            for (cluster, seen) in read.member.record.clusters {
                var view = views[cluster] ?? ObserverView(live: 0, down: 0, up: 0, lastAliveAt: nil)
                view.live += 1
                if seen.state == .down { view.down += 1 }
                if seen.state == .up { view.up += 1 }
                if let ago = seen.lastAliveMsAgo {
                    let alive = read.writtenAt - .milliseconds(ago)
                    let date = now.addingTimeInterval(-Self.seconds(monotonicNow - alive))
                    view.lastAliveAt = max(view.lastAliveAt ?? date, date)
                }
                views[cluster] = view
            }
        }
        return views
    }

    /// This instance alone, per probed cluster.
    static func ownViews(_ snapshot: HealthSnapshot, lastAlive: [String: Date]) -> [String: ObserverView] {
        var views: [String: ObserverView] = [:]
        for (name, cluster) in snapshot.clusters {
            views[name] = ObserverView(
                live: 1,
                down: cluster.state == .down ? 1 : 0,
                up: cluster.state == .up ? 1 : 0,
                lastAliveAt: lastAlive[name]
            )
        }
        return views
    }

    private func isLive(_ read: Read, at now: ContinuousClock.Instant) -> Bool {
        now - read.writtenAt <= settings.staleAfter
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
