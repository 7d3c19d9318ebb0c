import Logging
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import Synchronization
import ZooKeeper

/// Elects one failover decider among the instances sharing a ZooKeeper root (``ElectionMachine``
/// holds the rules; this type performs its steps against ZooKeeper).
///
/// Each instance creates an ephemeral-sequential node `n_<seq>` under ``FailoverPaths/election``
/// holding its instance id. The lowest sequence decides; the others watch their predecessor. When
/// the session is disconnected or expired, ``isDecider`` turns `false` at once; on shutdown the node
/// is deleted so the next instance takes over without waiting for the session timeout.
public final class DeciderElection: Sendable {
    /// What `GET /failover` shows about the election.
    public struct Status: Sendable, Hashable, Codable {
        /// Whether this instance decides now.
        public var isDecider: Bool
        /// This instance's election node name, if it has one.
        public var node: String?
        /// The lowest election node at the last evaluation (the decider then).
        public var deciderNode: String?
        /// The instance id stored in ``deciderNode``.
        public var deciderID: String?
        /// The number of election nodes at the last evaluation.
        public var candidates: Int

        enum CodingKeys: String, CodingKey {
            case node, candidates
            case isDecider = "is_decider"
            case deciderNode = "decider_node"
            case deciderID = "decider_id"
        }
    }

    private enum Event: Sendable {
        case session(SessionState, id: Int64?)
        case joined(ElectionMachine.Node)
        case evaluated(ElectionMachine.Node, children: [String])
        case predecessorGone(ElectionMachine.Node, predecessor: String)
        case stepFailed
        case retry
        case fenced
    }

    private let client: ZooKeeperClient
    private let paths: FailoverPaths
    /// This instance's id, stored in its election node.
    public let instanceID: String
    private let metrics: FailoverMetrics
    private let retryInterval: Duration
    private let logger: Logger
    private let writeFailures: StateWriteFailures
    private let current = Mutex(Status(isDecider: false, candidates: 0))
    /// The running election's event sink, for ``fenced()``.
    private let events = Mutex<AsyncStream<Event>.Continuation?>(nil)

    /// Creates an election (nothing happens until ``run()``).
    /// - Parameters:
    ///   - client: The ZooKeeper client; the election does not close it.
    ///   - paths: The layout under the root.
    ///   - instanceID: This instance's id (``FailoverRuntime/instanceID(listenPort:)``).
    ///   - metrics: Where `metaproxy_failover_is_decider` goes.
    ///   - retryInterval: The pause after a failed ZooKeeper step.
    ///   - writeFailures: Counts and logs a failed join; `nil` makes one without a credentials source.
    ///   - logger: Leadership changes at info.
    public init(
        client: ZooKeeperClient,
        paths: FailoverPaths,
        instanceID: String,
        metrics: FailoverMetrics,
        retryInterval: Duration = .seconds(1),
        writeFailures: StateWriteFailures? = nil,
        logger: Logger
    ) {
        self.writeFailures =
            writeFailures ?? StateWriteFailures(metrics: metrics, credentialsSource: nil, logger: logger)
        self.client = client
        self.paths = paths
        self.instanceID = instanceID
        self.metrics = metrics
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// Whether this instance decides now.
    public var isDecider: Bool {
        current.withLock { $0.isDecider }
    }

    /// The fence of this instance's decider writes: its election node, while it decides; `nil` otherwise.
    public func fence() -> DeciderFence? {
        current.withLock { status in
            guard status.isDecider, let node = status.node else { return nil }
            return DeciderFence(electionNode: paths.election + "/" + node)
        }
    }

    /// A decider write was rejected by ``fence()``: stop deciding at once, and evaluate the election again
    /// (a node that is gone makes this instance join anew; it decides again only when the election says so).
    public func fenced() {
        setDeciding(false, node: nil)
        _ = events.withLock { $0?.yield(.fenced) }
    }

    /// The election as last seen.
    public func status() -> Status {
        current.withLock { $0 }
    }

    /// Takes part in the election until cancelled or gracefully shut down, then leaves it.
    public func run() async {
        metrics.isDecider(false)
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        self.events.withLock { $0 = sink }
        defer { self.events.withLock { $0 = nil } }
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await session in self.client.sessionStates().cancelOnGracefulShutdown() {
                    if session != .connected {
                        // Stop at once, before the election loop gets to the event.
                        self.setDeciding(false, node: nil)
                    }
                    sink.yield(.session(session, id: self.client.sessionID))
                }
                sink.finish()
            }
            group.addTask {
                var machine = ElectionMachine()
                for await event in events {
                    var pending: Event? = event
                    while let next = pending, !Task.isCancelled {
                        pending = await self.perform(Self.apply(next, to: &machine), sink: sink)
                    }
                }
                await self.leave(machine.node)
            }
        }
    }

    private static func apply(_ event: Event, to machine: inout ElectionMachine) -> ElectionMachine.Action {
        switch event {
        case .session(.connected, let id):
            return machine.connected(session: id ?? 0)
        case .session(.expired, _), .session(.closed, _):
            return machine.disconnected(expired: true)
        case .session:
            return machine.disconnected(expired: false)
        case .joined(let node):
            return machine.joined(node)
        case .evaluated(let node, let children):
            return machine.evaluated(node, children: children)
        case .predecessorGone(let node, let predecessor):
            return machine.predecessorGone(node, predecessor: predecessor)
        case .stepFailed:
            return machine.stepFailed()
        case .retry:
            return machine.retry()
        case .fenced:
            return machine.fenced()
        }
    }

    /// Performs one action; returns the event it produced, if any.
    private func perform(_ action: ElectionMachine.Action, sink: AsyncStream<Event>.Continuation) async -> Event? {
        switch action {
        case .none:
            return nil
        case .join(let session):
            do throws(ZooKeeperError) {
                let node = try await join(session: session)
                writeFailures.succeeded(.election)
                return .joined(node)
            } catch {
                writeFailures.failed(.election, path: error.path ?? paths.election, error: error)
                return .stepFailed
            }
        case .evaluate(let node):
            do throws(ZooKeeperError) {
                return .evaluated(node, children: try await evaluate())
            } catch {
                logStepFailure("reading the decider election failed", error)
                return .stepFailed
            }
        case .startDeciding(let node):
            // The session may have dropped while the children were read: then stay a candidate.
            guard client.sessionState == .connected else { return nil }
            setDeciding(true, node: node.name)
            return nil
        case .stopDeciding(let thenJoin):
            setDeciding(false, node: nil)
            return thenJoin == nil ? nil : .retry
        case .watch(let node, let predecessor):
            let path = paths.election + "/" + predecessor
            do throws(ZooKeeperError) {
                let stat = try await client.exists(path) { _ in
                    sink.yield(.predecessorGone(node, predecessor: predecessor))
                }
                setDeciding(false, node: node.name)
                return stat == nil ? .predecessorGone(node, predecessor: predecessor) : nil
            } catch {
                logStepFailure("watching the election predecessor failed", error)
                return .stepFailed
            }
        case .retryLater:
            do {
                try await Task.sleep(for: retryInterval)
            } catch {
                return nil
            }
            return .retry
        }
    }

    /// This session's node: one it already owns (a create whose reply was lost), or a new one.
    private func join(session: Int64) async throws(ZooKeeperError) -> ElectionMachine.Node {
        for child in try await children() {
            let path = paths.election + "/" + child
            if let stat = try await client.exists(path), stat.ephemeralOwner == session {
                return ElectionMachine.Node(path: path, session: session)
            }
        }
        let path = try await client.create(
            paths.electionNodePrefix,
            data: Array(instanceID.utf8),
            mode: .ephemeralSequential,
            createParents: true
        )
        logger.info("Joined the failover decider election", metadata: [FailoverLoggingKeys.electionNode: "\(path)"])
        return ElectionMachine.Node(path: path, session: session)
    }

    /// Reads the election's children and who leads them.
    private func evaluate() async throws(ZooKeeperError) -> [String] {
        let children = try await children()
        var deciderID: String?
        if let lowest = children.first {
            do throws(ZooKeeperError) {
                deciderID = String(decoding: try await client.get(paths.election + "/" + lowest).data, as: UTF8.self)
            } catch {
                // Gone meanwhile; the next evaluation names the new one.
                deciderID = nil
            }
        }
        current.withLock { status in
            status.deciderNode = children.first
            status.deciderID = deciderID
            status.candidates = children.count
        }
        return children
    }

    /// The election nodes, lowest sequence first; none when the directory does not exist yet.
    private func children() async throws(ZooKeeperError) -> [String] {
        do throws(ZooKeeperError) {
            return ElectionOrder.sorted(try await client.children(paths.election))
        } catch {
            guard error.code == .noNode else { throw error }
            return []
        }
    }

    private func setDeciding(_ deciding: Bool, node: String?) {
        let changed = current.withLock { status -> Bool in
            if let node {
                status.node = node
            }
            defer { status.isDecider = deciding }
            return status.isDecider != deciding
        }
        metrics.isDecider(deciding)
        guard changed else { return }
        if deciding {
            logger.info(
                "This instance is now the failover decider",
                metadata: [FailoverLoggingKeys.electionNode: "\(node ?? "-")", FailoverLoggingKeys.decider: "\(instanceID)"]
            )
        } else {
            logger.info("This instance stopped deciding", metadata: [FailoverLoggingKeys.decider: "\(instanceID)"])
        }
    }

    /// Deletes this instance's node on shutdown so another instance takes over at once.
    private func leave(_ node: ElectionMachine.Node?) async {
        setDeciding(false, node: nil)
        guard let node, client.sessionState == .connected, client.sessionID == node.session else { return }
        do throws(ZooKeeperError) {
            try await client.delete(node.path)
            logger.info("Left the failover decider election", metadata: [FailoverLoggingKeys.electionNode: "\(node.path)"])
        } catch {
            logger.debug("Leaving the election failed", metadata: [FailoverLoggingKeys.error: "\(error)"])
        }
    }

    private func logStepFailure(_ message: Logger.Message, _ error: ZooKeeperError) {
        logger.warning(message, metadata: [FailoverLoggingKeys.zkPath: "\(paths.election)", FailoverLoggingKeys.error: "\(error)"])
    }
}
