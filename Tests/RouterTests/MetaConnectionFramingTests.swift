import NIOCore
import NIOEmbedded
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// How ``MetaConnectionHandler`` batches requests and cuts the MetaServer's byte stream into
/// replies, on an `EmbeddedChannel`. A reply is matched to its request by seqid: the number of
/// requests still waiting (`outstanding`) shows which replies were read.
@Suite("MetaServer connection framing (embedded channel)", .serialized)
struct MetaConnectionFramingTests {
    static func connection(maxFrameBytes: Int = 4096) throws -> (EmbeddedChannel, MetaConnectionHandler) {
        let channel = EmbeddedChannel()
        let handler = MetaConnectionHandler(cluster: "c", meta: "127.0.0.1:1", maxFrameBytes: maxFrameBytes)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler)
    }

    static func query() -> UpstreamQuery {
        UpstreamQuery(name: RpcName.queryConfig, args: ByteBuffer(), deadline: .distantFuture, followsForwards: false)
    }

    static func replies(seqids: [Int32]) -> [UInt8] {
        var buffer = ByteBuffer()
        for seqid in seqids {
            ResponseFrame.reply(requestName: RpcName.queryConfig, seqid: seqid, result: QueryConfigResponse(err: .ok))
                .encode(into: &buffer)
        }
        return Array(buffer.readableBytesView)
    }

    static func read(_ bytes: some Collection<UInt8>, on channel: EmbeddedChannel) throws {
        try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
    }

    @Test("requests sent before a flush leave in one write")
    func requestsBatched() throws {
        let (channel, handler) = try Self.connection()
        for seqid: Int32 in 1...3 {
            handler.send(seqid: seqid, frame: ByteBuffer(bytes: [UInt8(seqid), 0xAA]), for: Self.query())
        }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        handler.flush()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [1, 0xAA, 2, 0xAA, 3, 0xAA]))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(handler.outstanding == 3)
        _ = try? channel.finish()
    }

    @Test("replies split across two reads at every byte are all matched")
    func splitAtEveryByte() throws {
        let bytes = Self.replies(seqids: [1, 2])
        for split in 1..<bytes.count {
            let (channel, handler) = try Self.connection()
            for seqid: Int32 in 1...2 { handler.send(seqid: seqid, frame: ByteBuffer(), for: Self.query()) }
            try Self.read(bytes[..<split], on: channel)
            try Self.read(bytes[split...], on: channel)
            #expect(handler.outstanding == 0)
            #expect(channel.isActive)
            _ = try? channel.finish()
        }
    }

    @Test("many replies in one read are all matched; a partial one waits for its bytes")
    func manyRepliesAndPartial() throws {
        let (channel, handler) = try Self.connection()
        for seqid: Int32 in 1...51 { handler.send(seqid: seqid, frame: ByteBuffer(), for: Self.query()) }
        let last = Self.replies(seqids: [51])
        try Self.read(Self.replies(seqids: Array(1...50)) + last.prefix(10), on: channel)
        #expect(handler.outstanding == 1)
        try Self.read(last.dropFirst(10), on: channel)
        #expect(handler.outstanding == 0)
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test("a reply over max_frame_bytes closes the connection and fails what waits")
    func oversizeReply() throws {
        let (channel, handler) = try Self.connection(maxFrameBytes: 64)
        for seqid: Int32 in 1...2 { handler.send(seqid: seqid, frame: ByteBuffer(), for: Self.query()) }
        // A length prefix of 4096 bytes: rejected as soon as its 4 bytes are read.
        try Self.read([0, 0, 0x10, 0], on: channel)
        #expect(!channel.isActive)
        #expect(handler.outstanding == 0)
        #expect(!handler.isUsable)
        _ = try? channel.finish()
    }
}
