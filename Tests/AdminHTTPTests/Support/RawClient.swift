import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport

/// A TCP client for the admin port that sends raw text and collects what comes back.
final class RawClient: Sendable {
    /// The event loops of the clients.
    final class Group: Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

        init() async throws {}

        func connect(port: Int) async throws -> RawClient {
            let received = Received()
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .get()
            return RawClient(channel: channel, received: received)
        }

        func shutdown() {
            group.shutdownGracefully { _ in }
        }
    }

    final class Received: Sendable {
        let state = NIOLockedValueBox((text: "", closed: false))
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(received: Received) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            received.state.withLockedValue { $0.text += text }
        }

        func channelInactive(context: ChannelHandlerContext) {
            received.state.withLockedValue { $0.closed = true }
        }
    }

    private let channel: any Channel
    private let received: Received

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Whether the server closes the connection (waits for it, within a generous bound).
    func closed() async -> Bool {
        await eventually { received.state.withLockedValue { $0.closed } }
    }

    /// A complete answer (head and `Content-Length` body), once it arrived.
    func answer() async -> String? {
        await poll {
            let text = received.state.withLockedValue { $0.text }
            guard let end = text.range(of: "\r\n\r\n") else { return nil }
            let head = text[..<end.lowerBound]
            guard let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                let length = Int(String(line.drop { $0 != ":" }.dropFirst().filter { $0 != " " }))
            else { return nil }
            return text[end.upperBound...].utf8.count >= length ? text : nil
        }
    }

    func close() async {
        try? await channel.close()
    }
}
