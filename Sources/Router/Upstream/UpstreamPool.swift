import Logging
import NIOCore
import PegasusWire
import RouteModel

/// The proxy's MetaServer client: per event loop, pooled connections to every MetaServer of
/// every cluster in use, shared by all clients of that loop and multiplexed by the proxy's own
/// seqids. A client channel uses the upstreams of its own loop, so the data path has no locks
/// and no thread hops.
public final class UpstreamPool: Sendable {
    private let boxes: [ObjectIdentifier: NIOLoopBoundBox<LoopUpstreams?>]
    private let group: any EventLoopGroup
    private let settings: UpstreamSettings
    private let observer: any UpstreamObserver
    private let logger: Logger

    /// Creates a pool over every loop of `group`.
    public init(
        group: any EventLoopGroup,
        settings: UpstreamSettings,
        observer: any UpstreamObserver = NoUpstreamObserver(),
        logger: Logger
    ) {
        var boxes: [ObjectIdentifier: NIOLoopBoundBox<LoopUpstreams?>] = [:]
        for loop in group.makeIterator() {
            boxes[ObjectIdentifier(loop)] = NIOLoopBoundBox.makeEmptyBox(valueType: LoopUpstreams.self, eventLoop: loop)
        }
        self.boxes = boxes
        self.group = group
        self.settings = settings
        self.observer = observer
        self.logger = logger
    }

    /// The settings in force.
    public var upstreamSettings: UpstreamSettings { settings }

    /// The upstreams of `eventLoop`; call on that loop only. `nil` for a loop outside the pool's group.
    func upstreams(on eventLoop: any EventLoop) -> LoopUpstreams? {
        guard let box = boxes[ObjectIdentifier(eventLoop)] else { return nil }
        if let existing = box.value { return existing }
        let created = LoopUpstreams(eventLoop: eventLoop, settings: settings, observer: observer, logger: logger)
        box.value = created
        return created
    }

    /// Sends a request to `cluster` from any context and returns the leader's reply.
    ///
    /// Used by the control plane (CLI queries, health probes), not by the data path.
    /// - Throws: ``UpstreamError``.
    public func query(
        cluster: ClusterRoute,
        name: String,
        args: ByteBuffer,
        timeout: TimeAmount,
        followsForwards: Bool = true
    ) async throws -> ResponseFrame {
        let loop = group.next()
        return try await loop.flatSubmit { [self] in
            guard let upstreams = upstreams(on: loop) else {
                return loop.makeFailedFuture(UpstreamError(.shuttingDown, cluster: cluster.name))
            }
            return upstreams.query(
                cluster: cluster, name: name, args: args, deadline: .now() + timeout, followsForwards: followsForwards)
        }.get()
    }

    /// The number of cluster clients over every loop (for tests).
    func clientCount() async -> Int {
        var total = 0
        for (_, box) in boxes {
            total += (try? await box.eventLoop.submit { box.value?.clientCount ?? 0 }.get()) ?? 0
        }
        return total
    }

    /// Request bytes not yet written to any MetaServer, over every loop (for tests: bounded by
    /// `maxQueuedBytes` per connection, about twice that at most).
    func queuedBytes() async -> Int {
        var total = 0
        for (_, box) in boxes {
            total += (try? await box.eventLoop.submit { box.value?.queuedBytes ?? 0 }.get()) ?? 0
        }
        return total
    }

    /// Closes every upstream connection on every loop.
    public func close() async {
        for (_, box) in boxes {
            try? await box.eventLoop.submit { box.value?.close() }.get()
        }
    }
}
