import AdminHTTP
import NIOCore
import NIOEmbedded
import Testing

/// One admin connection's pipeline (``AdminServer/configure``) over an `EmbeddedChannel` whose loop's
/// clock the tests advance: timeouts, head and body limits, malformed requests. Every endpoint looked up
/// here is unknown (`404`): those answers are written synchronously, on the embedded loop.
@Suite("Admin connection limits")
struct AdminConnectionTests {
    static let limits = AdminServerLimits(
        maxConnections: 4, headerTimeout: .seconds(10), idleTimeout: .seconds(60), maxHeadBytes: 2048)

    final class Connection {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let metrics = AdminServerMetrics()

        init() throws {
            channel = EmbeddedChannel(loop: loop)
            try AdminServer.configure(
                channel.pipeline.syncOperations, handlers: [:], limits: AdminConnectionTests.limits, metrics: metrics)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ text: String) throws {
            var buffer = channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            try channel.writeInbound(buffer)
        }

        /// Everything written to the socket so far, as text.
        func answer() throws -> String {
            var out = ""
            while var buffer = try channel.readOutbound(as: IOData.self) {
                if case .byteBuffer(var bytes) = buffer { out += bytes.readString(length: bytes.readableBytes) ?? "" }
                buffer = .byteBuffer(ByteBuffer())
            }
            return out
        }

        var isOpen: Bool { channel.isActive }
    }

    @Test("a request head not complete within the header timeout closes the connection")
    func headerTimeout() throws {
        let connection = try Connection()
        try connection.send("GET /healthz HTTP/1.1\r\nHo")
        connection.loop.advanceTime(by: .seconds(9))
        #expect(connection.isOpen)
        connection.loop.advanceTime(by: .seconds(1))
        #expect(!connection.isOpen)
        #expect(connection.metrics.closedConnectionCount(.headerTimeout) == 1)
    }

    @Test("a connection that sends nothing is closed after the header timeout")
    func silentConnection() throws {
        let connection = try Connection()
        connection.loop.advanceTime(by: .seconds(10))
        #expect(!connection.isOpen)
        #expect(connection.metrics.closedConnectionCount(.headerTimeout) == 1)
    }

    @Test("a keep-alive connection is closed after the idle timeout, not the header timeout")
    func idleTimeout() throws {
        let connection = try Connection()
        connection.loop.advanceTime(by: .seconds(5))
        try connection.send("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.answer().hasPrefix("HTTP/1.1 404"))
        connection.loop.advanceTime(by: .seconds(59))
        #expect(connection.isOpen)
        // another request restarts the clock
        try connection.send("GET /nothing?=&& HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.answer().hasPrefix("HTTP/1.1 404"))
        connection.loop.advanceTime(by: .seconds(59))
        #expect(connection.isOpen)
        connection.loop.advanceTime(by: .seconds(1))
        #expect(!connection.isOpen)
        #expect(connection.metrics.closedConnectionCount(.idleTimeout) == 1)
        #expect(connection.metrics.closedConnectionCount(.headerTimeout) == 0)
    }

    @Test("a head over max_head_bytes is answered 431 and closed")
    func headTooLarge() throws {
        let connection = try Connection()
        try connection.send("GET /healthz HTTP/1.1\r\nX-Big: " + String(repeating: "b", count: 1000))
        #expect(connection.isOpen)
        try connection.send(String(repeating: "b", count: 1100))
        #expect(try connection.answer().hasPrefix("HTTP/1.1 431"))
        #expect(!connection.isOpen)
        #expect(connection.metrics.closedConnectionCount(.headTooLarge) == 1)
    }

    @Test("a request with a body is answered 413 and closed")
    func body() throws {
        let connection = try Connection()
        try connection.send("GET /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try connection.answer().hasPrefix("HTTP/1.1 413"))
        #expect(!connection.isOpen)
        #expect(connection.metrics.closedConnectionCount(.bodySent) == 1)
    }

    @Test("bytes that are not HTTP are answered 400 and closed")
    func garbage() throws {
        let connection = try Connection()
        try? connection.send("\u{1}\u{2}\u{3} nonsense\r\n\r\n")
        #expect(try connection.answer().hasPrefix("HTTP/1.1 400"))
        #expect(!connection.isOpen)
    }

    @Test(
        "hostile request targets are answered and the connection stays usable",
        arguments: ["/healthz?=", "/x?=&=", "/x??==", "/x?%", "/x?&&&", "*", "/x?%ff=%fe"])
    func hostileTargets(target: String) throws {
        let connection = try Connection()
        try connection.send("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.answer().hasPrefix("HTTP/1.1 404"))
        try connection.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.answer().hasPrefix("HTTP/1.1 404"))
        #expect(connection.isOpen)
    }
}
