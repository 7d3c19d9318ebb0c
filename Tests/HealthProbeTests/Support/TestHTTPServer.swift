import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server for tests: answers through a replaceable route function, can hang
/// (accept and never answer), and can be stopped and restarted on the same port.
final class TestHTTPServer: Sendable {
    /// What the server does with one request.
    enum Reply: Sendable {
        /// Answer with a status, extra headers and a body (Content-Length is added).
        case respond(status: Int, headers: [(String, String)] = [], body: [UInt8])
        /// Read the request and never answer.
        case hang

        static func text(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Reply {
            .respond(status: status, headers: headers, body: Array(body.utf8))
        }
    }

    /// Maps a request (path without query, raw query string) to a reply.
    typealias Route = @Sendable (_ path: String, _ query: String) -> Reply

    private struct Channels {
        var server: (any Channel)?
        var children: [ObjectIdentifier: any Channel] = [:]
    }

    private let route: Mutex<Route>
    private let channels = Mutex(Channels())
    private let requests = Mutex<[String]>([])
    private let boundPort = Mutex(0)

    /// The bound port (kept across restarts).
    var port: Int { self.boundPort.withLock { $0 } }

    /// `127.0.0.1:<port>`.
    var address: String { "127.0.0.1:\(self.port)" }

    private init(route: @escaping Route) {
        self.route = Mutex(route)
    }

    /// Starts a server on an ephemeral loopback port.
    static func start(route: @escaping Route) async throws -> TestHTTPServer {
        let server = TestHTTPServer(route: route)
        try await server.restart()
        return server
    }

    /// Replaces the route function.
    func setRoute(_ route: @escaping Route) {
        self.route.withLock { $0 = route }
    }

    /// The request URIs received so far.
    var receivedRequests: [String] {
        self.requests.withLock { $0 }
    }

    /// Binds the port again after ``stop()``.
    func restart() async throws {
        let channel = try await Self.bind(port: self.port, server: self)
        let port = channel.localAddress?.port ?? 0
        self.boundPort.withLock { $0 = port }
        self.channels.withLock { $0.server = channel }
    }

    /// Closes the listener and every open connection: clients then see connection refused.
    func stop() async {
        let (server, children) = self.channels.withLock { channels in
            defer { channels = Channels() }
            return (channels.server, Array(channels.children.values))
        }
        try? await server?.close()
        for child in children {
            try? await child.close()
        }
    }

    fileprivate func reply(path: String, query: String, uri: String) -> Reply {
        self.requests.withLock { $0.append(uri) }
        return self.route.withLock { $0 }(path, query)
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.channels.withLock { $0.children[id] = channel }
        channel.closeFuture.whenComplete { _ in
            self.channels.withLock { _ = $0.children.removeValue(forKey: id) }
        }
    }

    private static func bind(port: Int, server: TestHTTPServer) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                server.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(TestHTTPHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
    }
}

/// Answers each request with the server's route.
private final class TestHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: TestHTTPServer
    private var uri = ""

    init(server: TestHTTPServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.uri = head.uri
        case .body:
            break
        case .end:
            let parts = self.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts.first.map(String.init) ?? ""
            let query = parts.count > 1 ? String(parts[1]) : ""
            switch self.server.reply(path: path, query: query, uri: self.uri) {
            case .hang:
                break
            case .respond(let status, let extraHeaders, let body):
                var headers = HTTPHeaders(extraHeaders)
                headers.add(name: "Content-Type", value: "text/plain")
                headers.add(name: "Content-Length", value: String(body.count))
                let head = HTTPResponseHead(
                    version: .http1_1,
                    status: HTTPResponseStatus(statusCode: status),
                    headers: headers
                )
                context.write(self.wrapOutboundOut(.head(head)), promise: nil)
                var buffer = context.channel.allocator.buffer(capacity: body.count)
                buffer.writeBytes(body)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
