import HealthProbe
import Logging
import ServiceLifecycle
import Synchronization
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps this instance's ``InstanceRecord`` in its ephemeral node ``FailoverPaths/instance(_:)``.
///
/// Every instance runs one (not only the decider). Every ``Settings/tick`` it builds the record from
/// the prober's snapshot and the effective routes, and writes it when the throttle allows:
/// at start, when a verdict or a route changed (at most once per ``Settings/minimumInterval``), and
/// at least every ``Settings/heartbeat`` so ages stay fresh. Write rate per instance: one `set`
/// every 2 s while nothing changes, at most one per second while things change (≈ 0.5–1 write/s;
/// 3 instances ≈ 1.5–3 writes/s on the ensemble). The node is recreated on the first write after a
/// session loss (its ephemeral node is gone then) and deleted on graceful shutdown.
///
/// Each write's reply carries ZooKeeper's `mtime` of the node; it anchors the ``ZooKeeperClock``
/// that readers on this instance use to age every other record (see ``ObserverReader``).
final class InstancePublisher: Service, Sendable {
    /// Timing.
    struct Settings: Sendable {
        /// How often the record is rebuilt and the throttle asked.
        var tick: Duration = .milliseconds(250)
        /// The smallest pause between two writes.
        var minimumInterval: Duration = .seconds(1)
        /// The largest pause between two writes.
        var heartbeat: Duration = .seconds(2)
    }

    /// Who this instance is: the record's fixed part.
    struct Identity: Sendable {
        var instance: String
        var host: String
        var pid: Int
        var admin: String?
        var listen: String
        var version: String = InstanceRecord.unknownVersion
        var startedAt: Date
        var routeSource: InstanceRecord.RouteSource
    }

    /// When to write (pure).
    struct Throttle: Sendable {
        var settings: Settings
        private var last: (digest: Digest, at: ContinuousClock.Instant, session: Int64?)?

        init(settings: Settings) {
            self.settings = settings
        }

        /// Whether a record with `digest` should be written at `now` on session `session`.
        func isDue(_ digest: Digest, session: Int64?, at now: ContinuousClock.Instant) -> Bool {
            guard let last else { return true }
            if last.session != session { return true }
            let elapsed = now - last.at
            guard elapsed >= settings.minimumInterval else { return false }
            return digest != last.digest || elapsed >= settings.heartbeat
        }

        /// Notes a successful write.
        mutating func written(_ digest: Digest, session: Int64?, at now: ContinuousClock.Instant) {
            last = (digest, now, session)
        }
    }

    /// The parts of a record whose change is published at once: verdicts, decider flag, routes.
    struct Digest: Hashable, Sendable {
        var states: [String: InstanceRecord.ClusterView.State]
        var decider: Bool
        var routes: [String: InstanceRecord.RouteView]

        init(_ record: InstanceRecord) {
            states = record.clusters.mapValues(\.state)
            decider = record.decider
            routes = record.routes
        }
    }

    private let client: ZooKeeperClient
    private let path: String
    private let identity: Identity
    private let settings: Settings
    private let clock: ZooKeeperClock
    private let source: @Sendable () -> InstanceRecordSource.Inputs
    private let tracker: LastAliveTracker
    private let logger: Logger
    private let throttle: Mutex<Throttle>
    private let failing = Mutex(false)

    /// Creates a publisher.
    /// - Parameters:
    ///   - client: The instance's ZooKeeper client.
    ///   - paths: The root's paths.
    ///   - identity: The record's fixed part.
    ///   - settings: Timing.
    ///   - clock: Anchored by every write.
    ///   - tracker: Last-alive times, fed with every snapshot.
    ///   - source: The current snapshot, routes and decider flag.
    ///   - logger: Write failures at warning (once per episode).
    init(
        client: ZooKeeperClient,
        paths: FailoverPaths,
        identity: Identity,
        settings: Settings = Settings(),
        clock: ZooKeeperClock,
        tracker: LastAliveTracker,
        source: @escaping @Sendable () -> InstanceRecordSource.Inputs,
        logger: Logger
    ) {
        self.client = client
        self.path = paths.instance(identity.instance)
        self.identity = identity
        self.settings = settings
        self.clock = clock
        self.tracker = tracker
        self.source = source
        self.logger = logger
        self.throttle = Mutex(Throttle(settings: settings))
    }

    /// Publishes until graceful shutdown or cancellation, then deletes the node.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.publishIfDue()
                do {
                    try await Task.sleep(for: self.settings.tick)
                } catch {
                    return
                }
            }
        }
        await remove()
    }

    /// The record as of now.
    func currentRecord() -> InstanceRecord {
        InstanceRecordSource.record(identity: identity, inputs: source(), tracker: tracker, now: Date())
    }

    /// Builds the record and writes it when the throttle allows.
    func publishIfDue() async {
        let record = currentRecord()
        let digest = Digest(record)
        let session = client.sessionID
        guard throttle.withLock({ $0.isDue(digest, session: session, at: .now) }) else { return }
        guard case .connected = client.sessionState else { return }
        do throws(InstanceRecordError) {
            let bytes = try record.jsonBytes()
            do throws(ZooKeeperError) {
                try await write(bytes)
                throttle.withLock { $0.written(digest, session: session, at: .now) }
                if failing.withLock({ Self.swap(&$0, false) }) {
                    logger.info("Instance record written again", metadata: [FailoverLoggingKeys.zkPath: "\(path)"])
                }
            } catch {
                if !failing.withLock({ Self.swap(&$0, true) }) {
                    logger.warning(
                        "Writing the instance record failed; retrying",
                        metadata: [FailoverLoggingKeys.zkPath: "\(path)", FailoverLoggingKeys.error: "\(error)"])
                }
            }
        } catch {
            logger.error("Encoding the instance record failed", metadata: [FailoverLoggingKeys.error: "\(error)"])
        }
    }

    /// Sets `value` to `new` and returns the old value.
    private static func swap(_ value: inout Bool, _ new: Bool) -> Bool {
        let old = value
        value = new
        return old
    }

    /// `set`, or `create` (ephemeral) when the node is gone; anchors the clock with the node's `mtime`.
    private func write(_ bytes: [UInt8]) async throws(ZooKeeperError) {
        do throws(ZooKeeperError) {
            let stat = try await client.set(path, data: bytes)
            clock.anchor(mtime: stat.mtime, at: .now)
        } catch where error.code == .noNode {
            try await client.create(path, data: bytes, mode: .ephemeral, createParents: true)
            if let stat = try await client.exists(path) {
                clock.anchor(mtime: stat.mtime, at: .now)
            }
        }
    }

    /// Deletes the node (graceful shutdown), also from a cancelled task; failures are logged at
    /// debug: the node is ephemeral and goes with the session anyway.
    func remove() async {
        let (client, path, logger) = (self.client, self.path, self.logger)
        await Task {
            do throws(ZooKeeperError) {
                try await client.delete(path)
            } catch {
                logger.debug(
                    "Deleting the instance record failed; it goes with the session",
                    metadata: [FailoverLoggingKeys.zkPath: "\(path)", FailoverLoggingKeys.error: "\(error)"])
            }
        }.value
    }
}
