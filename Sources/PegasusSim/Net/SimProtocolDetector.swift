import Logging
import NIOCore
import NIOHTTP1
import PegasusWire

/// Chooses a connection's protocol from its first 4 bytes, as rDSN does once per connection
/// (src/rpc/network.cpp `prepare_parser`): `THFT` → Thrift RPC, `RDSN` → rDSN native frames
/// (served by the same RPC handler through ``RdsnThriftAdapter``), `GET ` / `POST` → HTTP,
/// anything else → close.
///
/// RDSN replies echo the request's id, carry the THFT envelope error in the header and CRCs when
/// the request had them. One simplification: a follower answers every RDSN request as a MetaServer
/// answers one without `is_forward_supported` (`ERR_FORWARD_TO_OTHERS` and the leader in the
/// body), never by forwarding it or with `ERR_FORWARD_TO_OTHERS` in the header (docs/protocol.md §8).
enum SimProtocolDetector {
    /// The largest request frame accepted.
    static let maxRequestFrameBytes = 4 << 20

    /// A detector for one connection.
    static func make(
        logger: Logger,
        rpc: @escaping @Sendable (RequestFrame) -> SimOutcome<ResponseFrame>,
        http: @escaping @Sendable (String) -> SimOutcome<SimHTTPResponse>
    ) -> ConnectionFormatDetector {
        ConnectionFormatDetector { format, context in
            let operations = context.pipeline.syncOperations
            let here = context.handler
            switch format {
            case .thft:
                try operations.addHandlers(
                    [
                        ByteToMessageHandler(RequestFrameDecoder(maxFrameBytes: maxRequestFrameBytes)),
                        MessageToByteHandler(ResponseFrameEncoder()),
                        SimRPCHandler(logger: logger, respond: rpc),
                    ],
                    position: .after(here))
            case .rdsn:
                try operations.addHandlers(
                    [
                        ByteToMessageHandler(RdsnFrameDecoder(maxFrameBytes: maxRequestFrameBytes)),
                        RdsnThriftAdapter(),
                        MessageToByteHandler(ResponseFrameEncoder()),
                        SimRPCHandler(logger: logger, respond: rpc),
                    ],
                    position: .after(here))
            case .http:
                let handlers = NIOHTTPServerPipeline.handlers(logger: logger, respond: http)
                try operations.addHandlers(handlers, position: .after(here))
            case nil:
                logger.debug("closing connection with an unknown header type")
                throw WireError(.badMagic, detail: "unknown connection header")
            }
        }
    }
}

/// The HTTP server handlers of a sim connection.
private enum NIOHTTPServerPipeline {
    static func handlers(
        logger: Logger, respond: @escaping @Sendable (String) -> SimOutcome<SimHTTPResponse>
    ) -> [any ChannelHandler] {
        let responseEncoder = HTTPResponseEncoder()
        let requestDecoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
        return [
            responseEncoder, requestDecoder, HTTPServerPipelineHandler(), HTTPServerProtocolErrorHandler(),
            SimHTTPHandler(logger: logger, respond: respond),
        ]
    }
}
