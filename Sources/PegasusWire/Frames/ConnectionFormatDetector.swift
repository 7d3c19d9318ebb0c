import NIOCore

/// The frame format of a connection, chosen once from its first four bytes, as rDSN does
/// (`rpc_session::prepare_parser`, docs/pegasus-reference.md §2).
public enum ConnectionFormat: Sendable, Equatable {
    /// `THFT`: Thrift-framed requests (Java, Go, Python, Node.js clients).
    case thft
    /// `RDSN`: rDSN's native frames (C++ client, Pegasus shell).
    case rdsn
    /// `GET ` or `POST`: HTTP.
    case http

    /// The format that `prefix` (the first four bytes) selects, or `nil` for anything else.
    public init?(prefix: some Collection<UInt8>) {
        switch Array(prefix.prefix(4)) {
        case Array("THFT".utf8): self = .thft
        case Array("RDSN".utf8): self = .rdsn
        case Array("GET ".utf8), Array("POST".utf8): self = .http
        default: return nil
        }
    }
}

/// Waits for a connection's first four bytes, asks `configure` to add the pipeline for that
/// format right after itself, hands it every byte received so far, and removes itself.
///
/// A connection whose first bytes select no format `configure` accepts (it throws) is closed,
/// after firing the error so the pipeline can count it.
public final class ConnectionFormatDetector: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// Adds the handlers for a format after the detector (`position`), synchronously.
    public typealias Configure = (ConnectionFormat?, ChannelHandlerContext) throws -> Void

    private var buffered: ByteBuffer?
    private let configure: Configure
    private var decided = false

    /// - Parameter configure: called once with the detected format (or `nil` for unknown bytes).
    public init(configure: @escaping Configure) {
        self.configure = configure
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !decided else {
            context.fireChannelRead(wrapInboundOut(incoming))
            return
        }
        if var already = buffered {
            already.writeBuffer(&incoming)
            buffered = already
        } else {
            buffered = incoming
        }
        guard let bytes = buffered, bytes.readableBytes >= 4,
            let prefix = bytes.getBytes(at: bytes.readerIndex, length: 4)
        else { return }
        decided = true
        buffered = nil
        do {
            try configure(ConnectionFormat(prefix: prefix), context)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension ConnectionFormatDetector: Sendable {}
