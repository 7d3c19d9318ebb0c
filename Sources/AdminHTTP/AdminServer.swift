import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The admin HTTP listener (loopback by default): `GET <path>` dispatched to a handler by exact path.
/// Bounded by ``AdminServerLimits``: connections over the cap are closed at once (counted), and every
/// connection is closed when a request head is slow, too large or followed by a body, or when it sits
/// idle (see ``AdminConnectionGuard``). A `Service`: serves until graceful shutdown.
public final class AdminServer: Service, Sendable {
    /// Answers one request; gets the query parameters (``AdminRequestTarget``).
    public typealias Handler = @Sendable ([String: String]) async -> AdminResponse

    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let handlers: [String: Handler]
    private let limits: AdminServerLimits
    /// The listener's metrics.
    public let metrics: AdminServerMetrics
    private let logger: Logger
    private let boundAddress = Mutex<SocketAddress?>(nil)
    private let listening = Mutex<(any Channel)?>(nil)
    private let open = Atomic<Int>(0)

    /// Creates the server; nothing listens until ``run()``.
    public init(
        host: String, port: Int, group: any EventLoopGroup, handlers: [String: Handler],
        limits: AdminServerLimits = AdminServerLimits(), metrics: AdminServerMetrics = AdminServerMetrics(),
        logger: Logger
    ) {
        self.host = host
        self.port = port
        self.group = group
        self.handlers = handlers
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    /// The bound address once ``run()`` has bound.
    public var localAddress: SocketAddress? { boundAddress.withLock { $0 } }

    /// Admin connections open now.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Binds the listener now, so that a bind failure surfaces before anything else starts; ``run()``
    /// then serves on it. Without this call ``run()`` binds.
    /// - Returns: The bound address.
    /// - Throws: The error that kept the listener from binding (NIO's `IOError` carries the errno).
    @discardableResult
    public func bind() async throws -> SocketAddress? {
        try await listener().localAddress
    }

    /// Listens (unless ``bind()`` did) and serves until graceful shutdown or cancellation.
    public func run() async throws {
        let server = try await listener()
        // Cancellation (another service failed) closes the listener: a wait that ignored it would outlast
        // the service group's cancellation bound, which traps.
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await server.closeFuture.get()
            } onGracefulShutdown: {
                server.close(promise: nil)
            }
        } onCancel: {
            server.close(promise: nil)
        }
    }

    /// The bound listener: the one ``bind()`` bound, else a new one.
    private func listener() async throws -> any Channel {
        if let server = listening.withLock({ $0 }) { return server }
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                guard admit(channel) else {
                    metrics.connectionRejected()
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel.pipeline.syncOperations, handlers: handlers, limits: limits, metrics: metrics)
                }
            }
            .bind(host: host, port: port)
            .get()
        listening.withLock { $0 = server }
        boundAddress.withLock { $0 = server.localAddress }
        logger.info("Admin HTTP listening", metadata: ["metaproxy.admin_listen": "\(server.localAddress?.description ?? "?")"])
        return server
    }

    /// Sets up one admin connection's pipeline: ``AdminConnectionGuard`` on the raw bytes, NIO's HTTP/1
    /// server handlers (a malformed request is answered `400` and closed), ``AdminHTTPHandler``.
    /// Also what tests and the fuzzer run over an `EmbeddedChannel`.
    public static func configure(
        _ pipeline: ChannelPipeline.SynchronousOperations, handlers: [String: Handler], limits: AdminServerLimits,
        metrics: AdminServerMetrics
    ) throws {
        try pipeline.addHandler(AdminConnectionGuard(limits: limits, metrics: metrics))
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
        try pipeline.addHandler(AdminHTTPHandler(handlers: handlers, metrics: metrics))
    }

    /// Counts a new connection unless it is one too many.
    private func admit(_ channel: any Channel) -> Bool {
        let count = open.add(1, ordering: .relaxed).newValue
        guard count <= limits.maxConnections else {
            open.subtract(1, ordering: .relaxed)
            return false
        }
        metrics.connectionsOpen(count)
        channel.closeFuture.whenComplete { [self] _ in
            metrics.connectionsOpen(open.subtract(1, ordering: .relaxed).newValue)
        }
        return true
    }
}
