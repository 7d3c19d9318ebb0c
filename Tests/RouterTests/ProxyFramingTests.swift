import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// How ``ProxyConnectionHandler`` cuts a THFT byte stream into frames and batches its replies, on
/// an `EmbeddedChannel` (the pipeline of a client connection: format detector, then the handler).
///
/// The upstream pool has no upstreams for the embedded loop, so a query for a routed table is
/// answered at once with the envelope `ERR_TIMEOUT` (no MetaServer available) and any other RPC
/// with `ERR_HANDLER_NOT_FOUND`: both replies carry the request's seqid, which is what these tests
/// follow.
@Suite("Proxy framing (embedded channel)", .serialized)
struct ProxyFramingTests {
    /// A client connection's pipeline on an embedded channel, with what the test needs to look at.
    struct Connection {
        let channel: EmbeddedChannel
        let loop: EmbeddedEventLoop
        let metrics: ProxyMetrics

        /// Feeds `bytes` as one read (plus read-complete).
        func read(_ bytes: some Collection<UInt8>) throws {
            try channel.writeInbound(channel.allocator.buffer(bytes: bytes))
            channel.pipeline.fireChannelReadComplete()
        }

        /// Runs the loop's pending tasks (the end-of-tick flush) and returns every buffer written
        /// and flushed since the last call.
        func written() throws -> [ByteBuffer] {
            loop.run()
            var buffers: [ByteBuffer] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { buffers.append(buffer) }
            return buffers
        }

        /// The reply frames in `buffers`, in order.
        static func replies(_ buffers: [ByteBuffer]) throws -> [ResponseFrame] {
            var frames: [ResponseFrame] = []
            for var buffer in buffers {
                while buffer.readableBytes > 0 { frames.append(try ResponseFrame.read(from: &buffer)) }
            }
            return frames
        }
    }

    static let group = MultiThreadedEventLoopGroup.singleton

    static func connection(maxFrameBytes: Int = 1 << 20) throws -> Connection {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        let metrics = ProxyMetrics()
        let routes = FixedRouteStore([
            Route(table: "t1", primary: ClusterRoute(name: "c", metas: [try Endpoint(parsing: "127.0.0.1:1")]))
        ])
        let upstreams = UpstreamPool(
            group: group, settings: UpstreamSettings(), observer: metrics, logger: ProxyHarness.quiet)
        let settings = ProxySettings(maxFrameBytes: maxFrameBytes)
        let dependencies = ProxyDependencies(
            routes: routes, upstreams: upstreams, metrics: metrics, settings: settings, logger: ProxyHarness.quiet)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(ClientFormat.detector(maxFrameBytes: maxFrameBytes, metrics: metrics))
        try sync.addHandler(ProxyConnectionHandler(dependencies: dependencies))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return Connection(channel: channel, loop: loop, metrics: metrics)
    }

    /// A query of `t1` (answered `ERR_TIMEOUT`) or, for odd seqids, an RPC without handler.
    static func frame(seqid: Int32, version: RequestHeader.Version = .v1) -> [UInt8] {
        let frame: RequestFrame
        if seqid % 2 == 0 {
            frame = ProxyTestClient.query("t1", seqid: seqid, version: version, timeoutMs: 5000)
        } else {
            frame = RequestFrame.make(
                header: RequestHeader(version: version), name: "RPC_CM_LIST_APPS", seqid: seqid,
                args: QueryConfigRequest(appName: "t1"))
        }
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func expectAnswered(_ replies: [ResponseFrame], seqids: [Int32]) {
        #expect(replies.map(\.message.seqid) == seqids)
        for reply in replies {
            let expected = reply.message.seqid % 2 == 0 ? ErrorCode.timeout.name : ErrorCode.handlerNotFound.name
            #expect(reply.errorName == expected)
        }
    }

    @Test("two frames split across two reads at every byte are both answered")
    func splitAtEveryByte() throws {
        let bytes = Self.frame(seqid: 2) + Self.frame(seqid: 3, version: .v0)
        for split in 1..<bytes.count {
            let connection = try Self.connection()
            try connection.read(bytes[..<split])
            try connection.read(bytes[split...])
            Self.expectAnswered(try Connection.replies(try connection.written()), seqids: [2, 3])
            #expect(connection.metrics.badFrameCount == 0)
            #expect(connection.channel.isActive)
            _ = try? connection.channel.finish()
        }
    }

    @Test("frames arriving one byte per read are answered")
    func oneBytePerRead() throws {
        let bytes = Self.frame(seqid: 4, version: .v0) + Self.frame(seqid: 5) + Self.frame(seqid: 6)
        let connection = try Self.connection()
        for byte in bytes { try connection.read([byte]) }
        Self.expectAnswered(try Connection.replies(try connection.written()), seqids: [4, 5, 6])
        _ = try? connection.channel.finish()
    }

    @Test("many frames in one read: every reply is delivered, in one flushed write")
    func manyFramesOneRead() throws {
        let seqids = Array(Int32(1)...200)
        let connection = try Self.connection()
        try connection.read(seqids.flatMap { Self.frame(seqid: $0) })
        let buffers = try connection.written()
        #expect(buffers.count == 1)
        Self.expectAnswered(try Connection.replies(buffers), seqids: seqids)
        // The next tick's replies are flushed too (the buffer is reused, nothing is left behind).
        try connection.read(Self.frame(seqid: 201) + Self.frame(seqid: 202))
        Self.expectAnswered(try Connection.replies(try connection.written()), seqids: [201, 202])
        _ = try? connection.channel.finish()
    }

    @Test("a partial frame at end of input is dropped without a bad-frame count; the whole ones are answered")
    func partialFrameAtEOF() throws {
        let whole = Self.frame(seqid: 8)
        let next = Self.frame(seqid: 9)
        let connection = try Self.connection()
        try connection.read(whole + next.prefix(next.count / 2))
        Self.expectAnswered(try Connection.replies(try connection.written()), seqids: [8])
        connection.channel.pipeline.fireChannelInactive()
        #expect(try connection.written().isEmpty)
        #expect(connection.metrics.badFrameCount == 0)
        _ = try? connection.channel.finish()
    }

    @Test("a frame over max_frame_bytes closes the connection at its header and counts a bad frame")
    func oversizeFrame() throws {
        let big = ProxyTestClient.query(String(repeating: "x", count: 600), seqid: 10)
        var buffer = ByteBuffer()
        big.encode(into: &buffer)
        let connection = try Self.connection(maxFrameBytes: 512)
        // The header alone (v0: 48 bytes) is enough to reject it.
        try connection.read(Array(buffer.readableBytesView.prefix(48)))
        #expect(!connection.channel.isActive)
        #expect(connection.metrics.badFrameCount == 1)
        // Later bytes are ignored.
        try? connection.read(Array(buffer.readableBytesView.dropFirst(48)))
        #expect(connection.metrics.badFrameCount == 1)
        _ = try? connection.channel.finish()
    }

    @Test("ChannelShouldQuiesceEvent with nothing in flight: this tick's replies are flushed, then the connection closes")
    func quiesceFlushesAndCloses() throws {
        let connection = try Self.connection()
        try connection.read(Self.frame(seqid: 20) + Self.frame(seqid: 21))
        // Both are answered at once (no upstream on the embedded loop), not yet flushed.
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!connection.channel.isActive)
        Self.expectAnswered(try Connection.replies(try connection.written()), seqids: [20, 21])
        _ = try? connection.channel.finish()
    }

    @Test("other user events pass the handler unchanged")
    func otherEventsPassOn() throws {
        struct Marker: Equatable {}
        let connection = try Self.connection()
        let seen = EventRecorder()
        try connection.channel.pipeline.syncOperations.addHandler(seen)
        connection.channel.pipeline.fireUserInboundEventTriggered(Marker())
        #expect(seen.events.count == 1)
        #expect(seen.events.first is Marker)
        #expect(connection.channel.isActive)
        _ = try? connection.channel.finish()
    }

    /// Records the user events that reach it.
    final class EventRecorder: ChannelInboundHandler {
        typealias InboundIn = Never
        var events: [Any] = []
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            events.append(event)
        }
    }

    @Test("a malformed frame after a good one in the same read closes the connection once")
    func malformedAfterGood() throws {
        var bytes = Self.frame(seqid: 12)
        bytes += Array("THFT".utf8) + [0, 0, 0, 7] + [UInt8](repeating: 0, count: 40)
        let connection = try Self.connection()
        try connection.read(bytes)
        #expect(!connection.channel.isActive)
        #expect(connection.metrics.badFrameCount == 1)
        _ = try? connection.channel.finish()
    }
}
