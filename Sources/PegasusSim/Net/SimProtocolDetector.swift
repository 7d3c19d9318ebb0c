import Logging
import NIOCore
import NIOHTTP1
import PegasusWire

/// Chooses a connection's protocol from its first 4 bytes, as rDSN does once per connection
/// (src/rpc/network.cpp `prepare_parser`): `THFT` → Thrift RPC, `GET ` / `POST` → HTTP, anything
/// else → close. It then installs that protocol's handlers, hands them the bytes read so far, and
/// leaves the pipeline.
final class SimProtocolDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The largest THFT request frame accepted.
    static let maxRequestFrameBytes = 4 << 20

    private let respondRPC: @Sendable (RequestFrame) -> SimOutcome<ResponseFrame>
    private let respondHTTP: @Sendable (String) -> SimOutcome<SimHTTPResponse>
    private let logger: Logger
    private var buffered: ByteBuffer?

    /// Creates a detector for one connection.
    init(
        logger: Logger,
        rpc: @escaping @Sendable (RequestFrame) -> SimOutcome<ResponseFrame>,
        http: @escaping @Sendable (String) -> SimOutcome<SimHTTPResponse>
    ) {
        self.logger = logger
        self.respondRPC = rpc
        self.respondHTTP = http
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var previous = buffered {
            previous.writeBuffer(&bytes)
            bytes = previous
        }
        guard let prefix = bytes.getBytes(at: bytes.readerIndex, length: 4) else {
            buffered = bytes
            return
        }
        buffered = nil
        do {
            let operations = context.pipeline.syncOperations
            switch prefix {
            case Array("THFT".utf8):
                try operations.addHandlers(
                    ByteToMessageHandler(RequestFrameDecoder(maxFrameBytes: Self.maxRequestFrameBytes)),
                    MessageToByteHandler(ResponseFrameEncoder()),
                    SimRPCHandler(logger: logger, respond: respondRPC)
                )
            case Array("GET ".utf8), Array("POST".utf8):
                try operations.configureHTTPServerPipeline(withErrorHandling: true)
                try operations.addHandler(SimHTTPHandler(logger: logger, respond: respondHTTP))
            default:
                let hex = prefix.map { String($0, radix: 16) }.joined(separator: " ")
                logger.debug("closing connection with unknown header type", metadata: [SimLoggingKeys.header: "\(hex)"])
                context.close(promise: nil)
                return
            }
        } catch {
            logger.debug("cannot configure connection", metadata: [SimLoggingKeys.error: "\(error)"])
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
