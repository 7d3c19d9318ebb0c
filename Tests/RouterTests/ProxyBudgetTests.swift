import NIOCore
import NIOEmbedded
import NIOPosix
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// The client-side budgets of ``ProxyConnectionHandler`` on `EmbeddedChannel`s: back-pressure
/// checked before every frame (in-flight slots, a client that does not take its replies), the
/// proxy-wide budget of request bytes held, and the frame-completion timeout (embedded time).
///
/// As in ``ProxyFramingTests``, the embedded loop has no upstreams: a query for `t1` is answered at
/// once (`ERR_TIMEOUT`), an RPC without handler with `ERR_HANDLER_NOT_FOUND`; a query for `slow`
/// waits for a route that never loads, so it keeps its slot.
@Suite("Proxy budgets (embedded channel)", .serialized)
struct ProxyBudgetTests {
    typealias Connection = ProxyFramingTests.Connection

    /// A route store whose uncached tables never load (their queries stay in flight).
    final class NeverLoadingRoutes: RouteStore {
        let fixed: FixedRouteStore
        init(_ routes: [Route]) { fixed = FixedRouteStore(routes) }
        func route(for table: String) async throws(RouteError) -> Route {
            try? await Task.sleep(for: .seconds(3600))
            throw RouteError(code: .sourceUnavailable, table: table, source: "never", reason: "never loads")
        }
        func cachedRoute(for table: String) -> Route? { fixed.cachedRoute(for: table) }
        var generation: UInt64 { fixed.generation }
        func routeChanges() -> AsyncStream<RouteChange> { fixed.routeChanges() }
        func allCachedRoutes() -> [Route] { fixed.allCachedRoutes() }
        var isReady: Bool { true }
    }

    /// Counts the reads the handler passes on to the channel.
    final class ReadRecorder: ChannelOutboundHandler {
        typealias OutboundIn = Never
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    static func dependencies(_ settings: ProxySettings) throws -> ProxyDependencies {
        let routes = NeverLoadingRoutes([
            Route(table: "t1", primary: ClusterRoute(name: "c", metas: [try Endpoint(parsing: "127.0.0.1:1")]))
        ])
        let metrics = ProxyMetrics()
        let upstreams = UpstreamPool(
            group: ProxyFramingTests.group, settings: UpstreamSettings(), observer: metrics, logger: ProxyHarness.quiet)
        return ProxyDependencies(
            routes: routes, upstreams: upstreams, metrics: metrics, settings: settings, logger: ProxyHarness.quiet)
    }

    /// A client connection served with `dependencies`, with a ``ReadRecorder`` at its head.
    static func connection(_ dependencies: ProxyDependencies) throws -> (Connection, ReadRecorder) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        let recorder = ReadRecorder()
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(recorder)
        try sync.addHandler(
            ClientFormat.detector(maxFrameBytes: dependencies.settings.maxFrameBytes, metrics: dependencies.metrics))
        try sync.addHandler(ProxyConnectionHandler(dependencies: dependencies))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (Connection(channel: channel, loop: loop, metrics: dependencies.metrics), recorder)
    }

    static func bytes(_ frame: RequestFrame) -> [UInt8] {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test("a client that does not take its replies is not read and its frames already read wait; once it takes them, they are answered and reading resumes")
    func unwrittenRepliesPauseReading() throws {
        let (connection, reads) = try Self.connection(try Self.dependencies(ProxySettings()))
        let channel = connection.channel
        // Over max_unwritten_reply_bytes: the channel is no longer writable.
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        let seqids = Array(Int32(1)...6)
        try connection.read(seqids.flatMap { ProxyFramingTests.frame(seqid: $0) })
        #expect(try connection.written().isEmpty)
        let before = reads.reads
        channel.read()
        #expect(reads.reads == before)  // withheld
        #expect(connection.metrics.readPauseCount >= 1)

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        ProxyFramingTests.expectAnswered(try Connection.replies(try connection.written()), seqids: seqids)
        #expect(reads.reads == before + 1)  // the withheld read passes now
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test("the frames of one read beyond the in-flight limit wait in the connection (reserved in the budget) instead of being served")
    func framesBeyondInflightWait() throws {
        let dependencies = try Self.dependencies(ProxySettings(maxInflightPerConnection: 2))
        let (connection, reads) = try Self.connection(dependencies)
        let slow = [Self.bytes(ProxyTestClient.query("slow", seqid: 2)), Self.bytes(ProxyTestClient.query("slow", seqid: 4))]
        let waiting = [Int32(1), 3, 5].flatMap { ProxyFramingTests.frame(seqid: $0) }
        try connection.read(slow.flatMap { $0 } + waiting)
        #expect(try connection.written().isEmpty)  // the RPCs without handler were not served
        #expect(dependencies.requestBuffers.heldBytes == waiting.count)
        let before = reads.reads
        connection.channel.read()
        #expect(reads.reads == before)
        connection.channel.pipeline.fireChannelInactive()
        #expect(dependencies.requestBuffers.heldBytes == 0)
        _ = try? connection.channel.finish()
    }

    @Test("a reply buffer of one tick over max_unwritten_reply_bytes: the frames after it wait for the flush")
    func tickRepliesBounded() throws {
        let (connection, _) = try Self.connection(try Self.dependencies(ProxySettings(maxUnwrittenReplyBytes: 1024)))
        let seqids = Array(Int32(1)...200)
        try connection.read(seqids.flatMap { ProxyFramingTests.frame(seqid: $0) })
        let buffers = try connection.written()
        #expect(buffers.count > 1)
        #expect(buffers.allSatisfy { $0.readableBytes < 1024 + 256 })
        ProxyFramingTests.expectAnswered(try Connection.replies(buffers), seqids: seqids)
        _ = try? connection.channel.finish()
    }

    @Test("an incomplete frame not complete within frame_timeout closes the connection (counted); frames completed in time keep it")
    func frameTimeout() throws {
        let dependencies = try Self.dependencies(ProxySettings(frameTimeout: .seconds(5)))
        let (connection, _) = try Self.connection(dependencies)
        let one = ProxyFramingTests.frame(seqid: 1)
        let two = ProxyFramingTests.frame(seqid: 3)
        let three = ProxyFramingTests.frame(seqid: 5)
        try connection.read(one + two.prefix(10))
        connection.loop.advanceTime(by: .seconds(4))
        // Frame two completes in time, frame three starts now (at 4 s): due at 9 s.
        try connection.read(two.dropFirst(10) + three.prefix(10))
        connection.loop.advanceTime(by: .seconds(4))
        #expect(connection.channel.isActive)
        ProxyFramingTests.expectAnswered(try Connection.replies(try connection.written()), seqids: [1, 3])
        // A trickle of frame three's bytes does not keep it open past 9 s.
        for byte in three.dropFirst(10).prefix(4) {
            try connection.read([byte])
            connection.loop.advanceTime(by: .milliseconds(200))
        }
        #expect(connection.channel.isActive)  // 8.8 s
        connection.loop.advanceTime(by: .milliseconds(200))
        #expect(!connection.channel.isActive)
        #expect(dependencies.requestBuffers.frameTimeoutCount == 1)
        #expect(dependencies.requestBuffers.heldBytes == 0)
        _ = try? connection.channel.finish()
    }

    @Test("the request bytes all connections hold are bounded: the connection that would take more is closed (counted), the others go on")
    func bufferedRequestBudget() throws {
        let dependencies = try Self.dependencies(ProxySettings(maxBufferedRequestBytes: 2000))
        let (first, _) = try Self.connection(dependencies)
        let (second, _) = try Self.connection(dependencies)
        let big = Self.bytes(ProxyTestClient.query(String(repeating: "x", count: 1400), seqid: 2))
        try first.read(big.prefix(1200))
        #expect(dependencies.requestBuffers.heldBytes == 1200)
        try second.read(big.prefix(900))
        #expect(!second.channel.isActive)
        #expect(dependencies.requestBuffers.exhaustedCount == 1)
        #expect(first.channel.isActive)
        #expect(dependencies.requestBuffers.heldBytes == 1200)
        // The first completes its frame: answered (unknown table, never loads: still in flight),
        // and its bytes are given back.
        try first.read(big.dropFirst(1200))
        #expect(first.channel.isActive)
        #expect(dependencies.requestBuffers.heldBytes == 0)
        _ = try? first.channel.finish()
        _ = try? second.channel.finish()
    }

    @Test("RDSN: an incomplete frame is reserved in the budget and closed after frame_timeout (counted); whole frames are answered")
    func rdsnFrameTimeoutAndBudget() throws {
        let dependencies = try Self.dependencies(ProxySettings(frameTimeout: .seconds(5)))
        let (connection, _) = try Self.connection(dependencies)
        let one = RdsnProxyFixture.bytes(RdsnProxyFixture.rdsnQuery("t1", id: 1), checksums: .none)
        let two = RdsnProxyFixture.bytes(RdsnProxyFixture.rdsnQuery("t1", id: 2), checksums: .none)
        try connection.read(one + two.prefix(100))
        #expect(try connection.written().count == 1)  // frame one answered
        #expect(dependencies.requestBuffers.heldBytes == 100)
        connection.loop.advanceTime(by: .seconds(4))
        try connection.read(two.dropFirst(100).prefix(10))
        #expect(dependencies.requestBuffers.heldBytes == 110)
        connection.loop.advanceTime(by: .milliseconds(900))
        #expect(connection.channel.isActive)
        connection.loop.advanceTime(by: .milliseconds(100))
        #expect(!connection.channel.isActive)
        #expect(dependencies.requestBuffers.frameTimeoutCount == 1)
        #expect(dependencies.requestBuffers.heldBytes == 0)
        _ = try? connection.channel.finish()
    }
}
