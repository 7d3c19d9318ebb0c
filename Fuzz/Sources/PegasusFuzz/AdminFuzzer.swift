import AdminHTTP
import NIOCore
import NIOEmbedded

/// Fuzzes the admin port's request path: the bytes as a connection's input to the admin pipeline
/// (``AdminServer/configure``: the connection guard with its head limit and timers, NIO's HTTP/1 parser,
/// routing by path, the request-target split), delivered whole and in two chunks, and the bytes as a
/// request target (`AdminRequestTarget`).
///
/// Invariants: nothing traps; whatever the connection writes is HTTP (`HTTP/`…); once the header and
/// idle timeouts have passed the connection is closed, whatever it was sent (no input holds one open);
/// a parsed target's query has at most `maxParameters` keys, none empty, and its path is the target up
/// to the first `?`.
enum AdminFuzzer {
    static let limits = AdminServerLimits(
        maxConnections: 1, headerTimeout: .seconds(10), idleTimeout: .seconds(60), maxHeadBytes: 4096)

    static func run(_ bytes: [UInt8]) {
        checkTarget(String(decoding: bytes, as: UTF8.self))
        runConnection(chunks: [bytes[...]])
        if bytes.count > 1 {
            let cut = 1 + Int(bytes[0]) % (bytes.count - 1)
            runConnection(chunks: [bytes[..<cut], bytes[cut...]])
        }
    }

    private static func checkTarget(_ uri: String) {
        let target = AdminRequestTarget(parsing: uri)
        FuzzCheck.that(target.query.count <= AdminRequestTarget.maxParameters, "too many query parameters")
        FuzzCheck.that(!target.query.keys.contains(""), "an empty query key was kept")
        let bytes = Array(uri.utf8)
        let path = bytes.firstIndex(of: UInt8(ascii: "?")).map { Array(bytes[..<$0]) } ?? bytes
        FuzzCheck.that(Array(target.path.utf8) == path, "path is not the target up to '?'")
    }

    private static func runConnection(chunks: [ArraySlice<UInt8>]) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        do {
            try AdminServer.configure(
                channel.pipeline.syncOperations, handlers: [:], limits: limits, metrics: AdminServerMetrics())
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        } catch {
            FuzzCheck.fail("cannot set up the admin pipeline: \(error)")
        }
        var written: [UInt8] = []
        for chunk in chunks {
            // A parse error is answered by the pipeline and also surfaces here: not a failure.
            _ = try? channel.writeInbound(channel.allocator.buffer(bytes: chunk))
            drain(channel, into: &written)
        }
        loop.advanceTime(by: limits.headerTimeout + limits.idleTimeout)
        drain(channel, into: &written)
        if !written.isEmpty {
            FuzzCheck.that(written.starts(with: Array("HTTP/".utf8)), "answer is not HTTP: \(written.prefix(40))")
        }
        FuzzCheck.that(!channel.isActive, "the connection is still open after both timeouts")
        _ = try? channel.finish()
    }

    private static func drain(_ channel: EmbeddedChannel, into written: inout [UInt8]) {
        while let data = try? channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { written += buffer.readableBytesView }
        }
    }
}
