import Logging
import NIOCore
import NIOHTTP1

/// Answers HTTP requests of one connection the way rDSN's HTTP server does: `HTTP/1.1`, only
/// `Content-Type`, `Content-Length` and `Location`; the connection stays open for more requests.
final class SimHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (String) -> SimOutcome<SimHTTPResponse>
    private let logger: Logger
    private var target: String?

    /// Creates a handler; `respond` gets each request's target (`/path?query`).
    init(logger: Logger, respond: @escaping @Sendable (String) -> SimOutcome<SimHTTPResponse>) {
        self.logger = logger
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            target = head.uri
        case .body:
            break
        case .end:
            guard let target else {
                return
            }
            self.target = nil
            logger.trace("http request", metadata: [SimLoggingKeys.httpPath: "\(target)"])
            switch respond(target) {
            case .reply(let response, let delay):
                send(response, after: delay, context: context)
            case .later(let future):
                future.hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                    switch result {
                    case .success(let response):
                        self.send(response, after: .zero, context: context)
                    case .failure(let error):
                        self.send(.error(.internalServerError, "\(error)"), after: .zero, context: context)
                    }
                }
            case .noReply:
                break
            case .close(let reason):
                logger.debug("closing http connection", metadata: [SimLoggingKeys.error: "\(reason)"])
                context.close(promise: nil)
            }
        }
    }

    private func send(_ response: SimHTTPResponse, after delay: TimeAmount, context: ChannelHandlerContext) {
        guard delay > .zero else {
            write(response, context: context)
            return
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            guard context.channel.isActive else {
                return
            }
            self.write(response, context: context)
        }
    }

    private func write(_ response: SimHTTPResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        if let location = response.location {
            headers.add(name: "Location", value: location)
        }
        let head = HTTPResponseHead(
            version: .http1_1,
            status: HTTPResponseStatus(statusCode: response.status.rawValue),
            headers: headers
        )
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
