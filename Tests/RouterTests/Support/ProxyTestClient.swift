import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import TestSupport

/// A Pegasus-client-like connection for proxy tests: sends THFT request frames (or raw bytes) and
/// yields the reply frames in arrival order; the stream ends when the connection closes.
final class ProxyTestClient {
    let channel: any Channel
    private var replies: AsyncStream<ResponseFrame>.Iterator

    private init(channel: any Channel, replies: AsyncStream<ResponseFrame>) {
        self.channel = channel
        self.replies = replies.makeAsyncIterator()
    }

    /// Connects to the proxy on loopback `port`; with `autoRead` off the client reads nothing until
    /// ``startReading()``.
    static func connect(port: Int, autoRead: Bool = true) async throws -> ProxyTestClient {
        let (stream, continuation) = AsyncStream.makeStream(of: ResponseFrame.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: autoRead)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(ResponseFrameDecoder(maxFrameBytes: 64 << 20)))
                    try sync.addHandler(ReplyCollector(continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return ProxyTestClient(channel: channel, replies: stream)
    }

    /// A query-config request for `table`.
    static func query(
        _ table: String, seqid: Int32, version: RequestHeader.Version = .v0, timeoutMs: Int32 = 0
    ) -> RequestFrame {
        RequestFrame.make(
            header: RequestHeader(version: version, clientTimeout: timeoutMs), name: RpcName.queryConfig, seqid: seqid,
            args: QueryConfigRequest(appName: table))
    }

    /// Sends `frames` in one write.
    func send(_ frames: [RequestFrame]) async throws {
        var buffer = channel.allocator.buffer(capacity: frames.count * 96)
        for frame in frames { frame.encode(into: &buffer) }
        try await channel.writeAndFlush(buffer)
    }

    /// Sends raw bytes.
    func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// The next reply, or `nil` once the connection closed.
    func next() async -> ResponseFrame? {
        await replies.next()
    }

    /// The next reply decoded as a query-config response (`nil` when closed or not decodable).
    func nextQueryReply() async -> (frame: ResponseFrame, response: QueryConfigResponse?)? {
        guard let frame = await next() else { return nil }
        return (frame, try? frame.decodeResult(QueryConfigResponse.self))
    }

    /// Turns reading on (after connecting with `autoRead` off).
    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
        channel.read()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Yields decoded reply frames; finishes the stream when the connection closes.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ResponseFrame
    private let continuation: AsyncStream<ResponseFrame>.Continuation

    init(_ continuation: AsyncStream<ResponseFrame>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}
