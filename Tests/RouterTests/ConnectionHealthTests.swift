import NIOCore
import NIOEmbedded
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// The rules that keep one MetaServer connection from pinning the proxy: consecutive attempt
/// timeouts with nothing received replace it (``ConnectionHealth``), and requests beyond the
/// unwritten-bytes budget fail at once instead of queueing. Values and an `EmbeddedChannel`; no clock.
@Suite("MetaServer connection health")
struct ConnectionHealthTests {
    @Test("N timeouts in a row replace the connection; any byte received resets the count")
    func consecutiveTimeoutRule() {
        var health = ConnectionHealth(maxConsecutiveTimeouts: 2)
        #expect(health.timedOut() == .keep)
        health.received()
        #expect(health.timedOut() == .keep)
        #expect(health.timedOut() == .replace)
        #expect(health.consecutiveTimeouts == 2)

        var one = ConnectionHealth(maxConsecutiveTimeouts: 0)
        #expect(one.maxConsecutiveTimeouts == 1)
        #expect(one.timedOut() == .replace)
    }

    static func connection(maxQueuedBytes: Int = 1 << 20) throws -> (EmbeddedChannel, MetaConnectionHandler) {
        let channel = EmbeddedChannel()
        let handler = MetaConnectionHandler(
            cluster: "c", meta: "127.0.0.1:1", maxFrameBytes: 4096, maxQueuedBytes: maxQueuedBytes,
            maxConsecutiveTimeouts: 2)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler)
    }

    static func query() -> UpstreamQuery {
        UpstreamQuery(name: RpcName.queryConfig, args: ByteBuffer(), deadline: .distantFuture, followsForwards: false)
    }

    @Test("a connection whose attempts time out twice in a row with nothing received is closed")
    func stalledConnectionIsClosed() throws {
        let (channel, handler) = try Self.connection()
        for seqid: Int32 in 1...3 { handler.send(seqid: seqid, frame: ByteBuffer(bytes: [1]), for: Self.query()) }
        handler.flush()
        #expect(!handler.timedOut(seqid: 1))
        #expect(channel.isActive)
        #expect(handler.timedOut(seqid: 2))
        #expect(!channel.isActive)
        // The request still waiting failed with the connection, and nothing more is accepted.
        #expect(handler.outstanding == 0)
        #expect(!handler.isUsable)
        _ = try? channel.finish()
    }

    @Test("a reply between two timeouts keeps the connection")
    func replyResetsTheCount() throws {
        let (channel, handler) = try Self.connection()
        for seqid: Int32 in 1...3 { handler.send(seqid: seqid, frame: ByteBuffer(bytes: [1]), for: Self.query()) }
        handler.flush()
        #expect(!handler.timedOut(seqid: 1))
        var reply = ByteBuffer()
        ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: 2, result: QueryConfigResponse(err: .ok))
            .encode(into: &reply)
        try channel.writeInbound(reply)
        #expect(!handler.timedOut(seqid: 3))
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test("past the unwritten-bytes budget requests fail at once instead of queueing")
    func queueBudget() throws {
        let (channel, handler) = try Self.connection(maxQueuedBytes: 100)
        let frame = ByteBuffer(repeating: 7, count: 60)
        handler.send(seqid: 1, frame: frame, for: Self.query())
        // A second frame would take this tick's batch past the budget.
        handler.send(seqid: 2, frame: frame, for: Self.query())
        #expect(handler.outstanding == 1)
        #expect(handler.queuedBytes == 60)
        handler.flush()
        // The socket stops taking bytes (the MetaServer does not read): nothing is queued, however small.
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        handler.send(seqid: 3, frame: ByteBuffer(bytes: [1]), for: Self.query())
        #expect(handler.outstanding == 1)
        // Writable again: requests go.
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        handler.send(seqid: 4, frame: ByteBuffer(bytes: [1]), for: Self.query())
        #expect(handler.outstanding == 2)
        _ = try? channel.finish()
    }
}
