import NIOCore
import NIOHTTP1

/// One admin HTTP connection: reads a request, runs its handler, writes the answer. Requests with a
/// body are answered `413` and the connection closed (no admin endpoint takes one); methods other than
/// GET and HEAD are answered `405`, unknown paths `404`.
///
/// Loop-bound: one instance per channel.
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for a request head.
        case awaitingHead
        /// A head was read; waiting for its end.
        case readingRequest(HTTPRequestHead)
        /// The request had a body: answered `413`, closing; the rest is dropped.
        case refusedBody
    }

    /// The longest path quoted back in a `404` answer.
    private static let maxQuotedPath = 200

    private let handlers: [String: AdminServer.Handler]
    private let metrics: AdminServerMetrics
    private var state = State.awaitingHead

    init(handlers: [String: AdminServer.Handler], metrics: AdminServerMetrics) {
        self.handlers = handlers
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead):
            state = .readingRequest(head)
        case (.head, _):
            // A new head before the previous request ended cannot come from the HTTP decoder; ignored.
            break
        case (.body, .readingRequest(let head)):
            state = .refusedBody
            context.triggerUserOutboundEvent(AdminConnectionEvent.requestComplete, promise: nil)
            metrics.connectionClosed(.bodySent)
            write(
                AdminResponse(status: .payloadTooLarge, body: "admin requests take no body\n"), head: head,
                keepAlive: false, context: context)
        case (.body, _):
            break
        case (.end, .readingRequest(let head)):
            state = .awaitingHead
            context.triggerUserOutboundEvent(AdminConnectionEvent.requestComplete, promise: nil)
            respond(to: head, context: context)
        case (.end, _):
            break
        }
    }

    /// A malformed request (NIO's `HTTPServerProtocolErrorHandler` has answered it `400`) or a
    /// connection error: the connection is closed, and the error goes no further.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        guard head.method == .GET || head.method == .HEAD else {
            write(AdminResponse(status: .methodNotAllowed, body: "only GET\n"), head: head, keepAlive: keepAlive, context: context)
            return
        }
        let target = AdminRequestTarget(parsing: head.uri)
        guard let handler = handlers[target.path] else {
            write(
                AdminResponse(status: .notFound, body: "no such endpoint: \(target.path.prefix(Self.maxQuotedPath))\n"),
                head: head, keepAlive: keepAlive, context: context)
            return
        }
        let query = target.query
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await handler(query)
        }.whenSuccess { response in
            let (handler, context) = loopBound.value
            handler.write(response, head: head, keepAlive: keepAlive, context: context)
        }
    }

    private func write(_ response: AdminResponse, head request: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(response.body.utf8.count)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers))),
            promise: nil)
        if request.method != .HEAD {
            var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
            body.writeString(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        // Told before the end is written: writing it may hand this handler the next pipelined request.
        if keepAlive { context.triggerUserOutboundEvent(AdminConnectionEvent.responseSent, promise: nil) }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension AdminHTTPHandler: Sendable {}
