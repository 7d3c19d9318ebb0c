import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import Router

/// Queries config over rDSN's native `RDSN` frames, as the C++ client and the shell do: one
/// connection per attempt, the leader followed through `ERR_FORWARD_TO_OTHERS` in the body.
///
/// The request is the C++ client's (docs/protocol.md §6: Thrift-binary body in the `0c 0000`
/// wrapper, no CRCs as rDSN sends by default) with one difference: `is_forward_supported` is clear
/// (context `0x41`). A follower MetaServer then answers `ERR_FORWARD_TO_OTHERS` with the leader in
/// the body, which this command follows, instead of forwarding the request to the leader, which
/// would answer on a new connection to the client's address, where this command does not listen
/// (docs/protocol.md §8).
enum RdsnQuery {
    /// The query_cfg_response for `table`, asking `metas` in order (bounded by `timeout`).
    /// - Throws: ``CommandError`` when no MetaServer answered.
    static func queryConfig(table: String, metas: [Endpoint], timeout: TimeAmount) async throws -> QueryConfigResponse {
        let deadline = NIODeadline.now() + timeout
        var candidates = metas
        var tried: Set<Endpoint> = []
        var lastError: (any Error)?
        var lastMeta: Endpoint?
        var id: UInt64 = 1
        while let meta = candidates.first {
            candidates.removeFirst()
            guard tried.insert(meta).inserted else { continue }
            guard NIODeadline.now() < deadline else { break }
            do {
                let reply = try await ask(meta: meta, table: table, id: id, deadline: deadline)
                id += 1
                guard reply.header.errorName.text == ErrorCode.ok.name else {
                    throw CommandError("query \(table): \(meta) answered \(reply.header.errorName.text)")
                }
                let response = try reply.decodeBody(QueryConfigResponse.self)
                if response.err == .forwardToOthers, let leader = response.partitions.first?.primary, !leader.isInvalid,
                    let next = try? Endpoint(parsing: leader.description)
                {
                    candidates.insert(next, at: 0)
                    continue
                }
                return response
            } catch {
                lastError = error
                lastMeta = meta
            }
        }
        let cause =
            lastError.map { error in
                let meta = lastMeta.map { "\($0)" } ?? "?"
                return ConnectionErrorText.describe(anyConnectionError: error).map { "cannot connect to \(meta): \($0)" }
                    ?? CommandFailure.describe(error)
            } ?? "deadline passed"
        throw CommandError("query \(table): no MetaServer answered over RDSN: \(cause)", kind: .unavailable)
    }

    private static func ask(meta: Endpoint, table: String, id: UInt64, deadline: NIODeadline) async throws -> RdsnFrame {
        let remaining = deadline - .now()
        var request = RdsnFrame.request(
            name: RpcName.queryConfig, id: id, timeoutMs: Int32(clamping: remaining.nanoseconds / 1_000_000),
            body: RdsnFrame.body(wrapping: QueryConfigRequest(appName: table)))
        request.header.context.isForwardSupported = false
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: RdsnFrame.self)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(remaining)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RdsnFrameDecoder(maxFrameBytes: 16 << 20)))
                    try channel.pipeline.syncOperations.addHandler(FirstFrame(promise: promise, deadline: deadline))
                }
            }
            .connect(host: meta.host, port: meta.port).get()
        var bytes = channel.allocator.buffer(capacity: RdsnHeader.size + 64)
        request.encode(into: &bytes, checksums: .none)
        channel.writeAndFlush(bytes, promise: nil)
        defer { channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }

    /// Completes a promise exactly once: with the first frame, the connection's failure, or a timeout.
    private final class FirstFrame: ChannelInboundHandler {
        typealias InboundIn = RdsnFrame
        private let promise: EventLoopPromise<RdsnFrame>
        private let deadline: NIODeadline
        private var timer: Scheduled<Void>?
        private var done = false

        init(promise: EventLoopPromise<RdsnFrame>, deadline: NIODeadline) {
            self.promise = promise
            self.deadline = deadline
        }

        func handlerAdded(context: ChannelHandlerContext) {
            timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                finish(.failure(CommandError("no reply before the deadline")))
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) { finish(.success(unwrapInboundIn(data))) }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { finish(.failure(error)) }
        func channelInactive(context: ChannelHandlerContext) { finish(.failure(CommandError("connection closed"))) }

        private func finish(_ result: Result<RdsnFrame, any Error>) {
            guard !done else { return }
            done = true
            timer?.cancel()
            promise.completeWith(result)
        }
    }
}
