import Logging
import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import ServiceLifecycle
import Synchronization

/// The client-facing listener: accepts Pegasus client connections and serves them with
/// ``ProxyConnectionHandler``. A `Service`: `run()` serves until graceful shutdown, then drains:
/// it stops accepting (connections accepted meanwhile are refused), tells every connection to
/// quiesce (NIO's `ChannelShouldQuiesceEvent`: it answers its queries in flight, then closes),
/// waits for them up to `drainTimeout` and closes whatever is still open.
public final class ProxyServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let dependencies: ProxyDependencies
    private let drainTimeout: Duration
    private let open = Atomic<Int>(0)
    private let state = Mutex<State>(.idle)
    private let bound = Mutex<[CheckedContinuation<SocketAddress, any Error>]>([])

    private enum State {
        case idle
        case running(server: any Channel, children: [ObjectIdentifier: any Channel])
        /// Shutting down: the listener is closed, the connections left are quiescing.
        case draining(server: any Channel, children: [ObjectIdentifier: any Channel])
        case stopped
    }

    /// Whether a new connection may be served.
    private enum Admission {
        case admitted
        /// Over `max_connections` (counted).
        case overLimit
        /// The server is draining or stopped.
        case shuttingDown
    }

    /// Creates the server; nothing listens until ``run()``.
    /// - Parameters:
    ///   - host: address to bind, e.g. `0.0.0.0`.
    ///   - port: port to bind; 0 picks a free one (see ``localAddress()``).
    ///   - group: The event loops that accept and serve connections (one upstream pool per loop).
    ///   - dependencies: What every connection shares (routes, upstreams, metrics, settings, logger).
    ///   - drainTimeout: How long a graceful shutdown waits for connections to finish their queries
    ///     before closing them.
    public init(
        host: String, port: Int, group: any EventLoopGroup, dependencies: ProxyDependencies,
        drainTimeout: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.group = group
        self.dependencies = dependencies
        self.drainTimeout = drainTimeout
    }

    /// The address the server listens on, once it does (waits for `run()` to bind).
    public func localAddress() async throws -> SocketAddress {
        switch state.withLock({ $0 }) {
        case .running(let server, _), .draining(let server, _):
            if let address = server.localAddress { return address }
        case .idle, .stopped:
            break
        }
        return try await withCheckedThrowingContinuation { continuation in
            let ready: Result<SocketAddress, any Error>? = state.withLock { state in
                switch state {
                case .running(let server, _), .draining(let server, _):
                    return server.localAddress.map { .success($0) } ?? .failure(ChannelError.unknownLocalAddress)
                case .stopped:
                    return .failure(ChannelError.ioOnClosedChannel)
                case .idle:
                    bound.withLock { $0.append(continuation) }
                    return nil
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Binds the listener now, so that a bind failure (the port in use, an address not on this host)
    /// surfaces before anything else starts; ``run()`` then serves on it. Without this call ``run()``
    /// binds.
    /// - Returns: The bound address.
    /// - Throws: The error that kept the listener from binding (NIO's `IOError` carries the errno).
    @discardableResult
    public func bind() async throws -> SocketAddress {
        let server = try await listener()
        if let address = server.localAddress { return address }
        throw ChannelError.unknownLocalAddress
    }

    /// Listens (unless ``bind()`` did) and serves until graceful shutdown or cancellation, then
    /// drains (see the type's documentation; cancelled, it closes every connection at once).
    /// - Throws: The error that kept the listener from binding.
    public func run() async throws {
        let server = try await listener()
        // Cancellation (another service failed) closes the listener too: a wait that ignored it would
        // outlast the service group's cancellation bound, which traps.
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await server.closeFuture.get()
            } onGracefulShutdown: {
                server.close(promise: nil)
            }
        } onCancel: {
            server.close(promise: nil)
        }
        await drain()
    }

    /// The bound listener: the one ``bind()`` bound, else a new one.
    private func listener() async throws -> any Channel {
        if case .running(let server, _) = state.withLock({ $0 }) { return server }
        let settings = dependencies.settings
        let shared = dependencies
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: settings.replyWaterMark)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { [self] channel in
                    switch admit(channel) {
                    case .admitted:
                        break
                    case .overLimit:
                        shared.metrics.connectionRejected()
                        return channel.close()
                    case .shuttingDown:
                        return channel.close()
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(ClientFormat.detector(maxFrameBytes: settings.maxFrameBytes, metrics: shared.metrics))
                        try sync.addHandler(ProxyConnectionHandler(dependencies: shared))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            // Nobody waits for an address that will never be bound.
            let waiting = state.withLock { state in
                state = .stopped
                return bound.withLock { waiting in
                    defer { waiting.removeAll() }
                    return waiting
                }
            }
            for continuation in waiting { continuation.resume(throwing: error) }
            throw error
        }

        let waiting = state.withLock { state -> [CheckedContinuation<SocketAddress, any Error>] in
            state = .running(server: server, children: [:])
            return bound.withLock { waiting in
                defer { waiting.removeAll() }
                return waiting
            }
        }
        if let address = server.localAddress {
            for continuation in waiting { continuation.resume(returning: address) }
            dependencies.logger.info("Proxy listening", metadata: ["metaproxy.listen": "\(address)"])
        }
        return server
    }

    /// Connections open now.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Counts and tracks a new connection, unless it is one too many or the server is shutting down.
    private func admit(_ channel: any Channel) -> Admission {
        let limit = dependencies.settings.maxConnections
        guard open.add(1, ordering: .relaxed).newValue <= limit else {
            open.subtract(1, ordering: .relaxed)
            return .overLimit
        }
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state in
            switch state {
            case .running(let server, var children):
                children[id] = channel
                state = .running(server: server, children: children)
                return true
            case .idle:
                // Accepted between the bind and `run()` noting it: served, as always.
                return true
            case .draining, .stopped:
                return false
            }
        }
        guard accepted else {
            open.subtract(1, ordering: .relaxed)
            return .shuttingDown
        }
        channel.closeFuture.whenComplete { [self] _ in
            open.subtract(1, ordering: .relaxed)
            state.withLock { state in
                switch state {
                case .running(let server, var children):
                    children.removeValue(forKey: id)
                    state = .running(server: server, children: children)
                case .draining(let server, var children):
                    children.removeValue(forKey: id)
                    state = .draining(server: server, children: children)
                case .idle, .stopped:
                    break
                }
            }
        }
        return .admitted
    }

    /// Tells every connection open now to quiesce (`ChannelShouldQuiesceEvent`): each stops
    /// reading, answers its queries in flight and closes after the last reply. The server itself
    /// keeps accepting (``drain()`` stops that first).
    /// - Returns: The connections told.
    @discardableResult
    func quiesceConnections() -> [any Channel] {
        let children = state.withLock { state -> [any Channel] in
            switch state {
            case .running(_, let children), .draining(_, let children): Array(children.values)
            case .idle, .stopped: []
            }
        }
        for channel in children {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        return children
    }

    /// Refuses new connections, tells every connection to quiesce, waits up to `drainTimeout`,
    /// then closes whatever is still open.
    private func drain() async {
        state.withLock { state in
            if case .running(let server, let children) = state { state = .draining(server: server, children: children) }
        }
        let children = quiesceConnections()
        let deadline = ContinuousClock.now + drainTimeout
        // Cancelled (not a graceful shutdown): no drain, whatever is open is closed now.
        while open.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let remaining = state.withLock { state -> [any Channel] in
            defer { state = .stopped }
            switch state {
            case .running(_, let children), .draining(_, let children): return Array(children.values)
            case .idle, .stopped: return []
            }
        }
        for channel in remaining { channel.close(mode: .all, promise: nil) }
        dependencies.logger.info(
            "Proxy stopped",
            metadata: ["metaproxy.drained": "\(children.count - remaining.count)", "metaproxy.force_closed": "\(remaining.count)"])
    }
}
