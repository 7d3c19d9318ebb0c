import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import Synchronization

/// An HTTP answer of the admin endpoint.
public struct AdminResponse: Sendable {
    /// HTTP status.
    public var status: HTTPResponseStatus
    /// `Content-Type` header.
    public var contentType: String
    /// Body bytes.
    public var body: String

    /// Creates a response.
    public init(status: HTTPResponseStatus = .ok, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON response.
    public static func json(_ body: String, status: HTTPResponseStatus = .ok) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: body)
    }
}

/// The admin HTTP listener (loopback by default): `GET <path>` dispatched to a handler by exact path.
/// A `Service`: serves until graceful shutdown.
public final class AdminServer: Service, Sendable {
    /// Answers one request; gets the query parameters.
    public typealias Handler = @Sendable ([String: String]) async -> AdminResponse

    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let handlers: [String: Handler]
    private let logger: Logger
    private let boundAddress = Mutex<SocketAddress?>(nil)
    private let listening = Mutex<(any Channel)?>(nil)

    /// Creates the server; nothing listens until ``run()``.
    public init(host: String, port: Int, group: any EventLoopGroup, handlers: [String: Handler], logger: Logger) {
        self.host = host
        self.port = port
        self.group = group
        self.handlers = handlers
        self.logger = logger
    }

    /// The bound address once ``run()`` has bound.
    public var localAddress: SocketAddress? { boundAddress.withLock { $0 } }

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
        let handlers = self.handlers
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.configureHTTPServerPipeline()
                    try sync.addHandler(AdminHTTPHandler(handlers: handlers))
                }
            }
            .bind(host: host, port: port)
            .get()
        listening.withLock { $0 = server }
        boundAddress.withLock { $0 = server.localAddress }
        logger.info("Admin HTTP listening", metadata: ["metaproxy.admin_listen": "\(server.localAddress?.description ?? "?")"])
        return server
    }
}

/// One admin HTTP connection: reads a request, runs its handler, writes the answer.
private final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handlers: [String: AdminServer.Handler]
    private var head: HTTPRequestHead?

    init(handlers: [String: AdminServer.Handler]) {
        self.handlers = handlers
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (path, query) = Self.split(head.uri)
        let keepAlive = head.isKeepAlive
        let version = head.version
        guard head.method == .GET || head.method == .HEAD else {
            write(AdminResponse(status: .methodNotAllowed, body: "only GET\n"), version: version, keepAlive: keepAlive, context: context)
            return
        }
        guard let handler = handlers[path] else {
            write(AdminResponse(status: .notFound, body: "no such endpoint: \(path)\n"), version: version, keepAlive: keepAlive, context: context)
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await handler(query)
        }.whenSuccess { response in
            let (handler, context) = loopBound.value
            handler.write(response, version: version, keepAlive: keepAlive, context: context)
        }
    }

    private func write(_ response: AdminResponse, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        body.writeString(response.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            query[key] = value
        }
        return (String(uri[..<mark]), query)
    }
}
