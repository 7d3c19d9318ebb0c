import NIOCore
import NIOEmbedded
import Testing

@testable import Router

/// `IdleConnectionHandler` on an `EmbeddedChannel`, whose clock only moves when the test moves it.
@Suite("IdleConnectionHandler")
struct IdleConnectionHandlerTests {
    /// Records the idle events that reach the end of the pipeline.
    final class IdleEvents: ChannelInboundHandler {
        typealias InboundIn = NIOAny
        var count = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent { count += 1 }
        }
    }

    static func channel() throws -> (EmbeddedChannel, EmbeddedEventLoop, IdleEvents) {
        let loop = EmbeddedEventLoop()
        let events = IdleEvents()
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(IdleConnectionHandler(timeout: .milliseconds(100)))
        try channel.pipeline.syncOperations.addHandler(events)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, loop, events)
    }

    @Test("a connection without traffic gets the idle event after the timeout, not before")
    func idleAfterTimeout() throws {
        let (channel, loop, events) = try Self.channel()
        loop.advanceTime(by: .milliseconds(99))
        #expect(events.count == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(events.count == 1)
        _ = try? channel.finish()
    }

    @Test("reads and flushes keep the connection from being idle")
    func trafficPostpones() throws {
        let (channel, loop, events) = try Self.channel()
        loop.advanceTime(by: .milliseconds(80))
        channel.pipeline.fireChannelReadComplete()
        loop.advanceTime(by: .milliseconds(80))
        #expect(events.count == 0)
        channel.flush()
        loop.advanceTime(by: .milliseconds(80))
        #expect(events.count == 0)
        loop.advanceTime(by: .milliseconds(20))
        #expect(events.count == 1)
        _ = try? channel.finish()
    }

    @Test("a closed connection gets no idle event")
    func closedIsQuiet() throws {
        let (channel, loop, events) = try Self.channel()
        _ = try? channel.finish()
        loop.advanceTime(by: .seconds(1))
        #expect(events.count == 0)
    }
}
