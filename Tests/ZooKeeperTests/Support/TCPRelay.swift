import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TestSupport

/// A loopback TCP relay between a ZooKeeper client and the test server, to cut and stall connections without
/// touching the shared server.
final class TCPRelay: Sendable {
    /// What the relay does with traffic.
    enum Mode: Sendable {
        /// Relay bytes both ways.
        case forward
        /// Keep connections open but drop every byte (requests are never answered).
        case blackhole
        /// Close every connection, and close new ones at once.
        case refuse
    }

    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let control: RelayControl

    /// `127.0.0.1:port` of the relay.
    let address: String

    private init(group: MultiThreadedEventLoopGroup, serverChannel: any Channel, control: RelayControl, port: Int) {
        self.group = group
        self.serverChannel = serverChannel
        self.control = control
        self.address = "127.0.0.1:\(port)"
    }

    /// Starts a relay on an ephemeral loopback port to `host:port`.
    static func start(upstreamHost host: String, port: Int) async throws -> TCPRelay {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try SocketAddress(ipAddress: host, port: port)
        let control = RelayControl()
        let serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard control.accept(inbound) else {
                    return inbound.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(to: upstream)
                    .flatMapThrowing { outbound in
                        control.track(outbound)
                        try inbound.pipeline.syncOperations.addHandler(
                            RelayHandler(partner: outbound, control: control)
                        )
                        try outbound.pipeline.syncOperations.addHandler(
                            RelayHandler(partner: inbound, control: control)
                        )
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = serverChannel.localAddress?.port else {
            try await serverChannel.close()
            try await group.shutdownGracefully()
            throw ChannelError.unknownLocalAddress
        }
        return TCPRelay(group: group, serverChannel: serverChannel, control: control, port: port)
    }

    /// Runs `body` with a relay to the test server, then shuts the relay down, whether `body` threw or not.
    static func withRelay(_ body: (TCPRelay) async throws -> Void) async throws {
        let (host, port) = try TestZooKeeper.hostAndPort()
        let relay = try await start(upstreamHost: host, port: port)
        do {
            try await body(relay)
        } catch {
            try? await relay.shutdown()
            throw error
        }
        try await relay.shutdown()
    }

    /// Changes the mode; ``Mode/refuse`` closes the current connections.
    func setMode(_ mode: Mode) {
        control.setMode(mode)
    }

    /// Stops listening, closes every connection and the event loop group.
    func shutdown() async throws {
        control.setMode(.refuse)
        try await serverChannel.close()
        try await group.shutdownGracefully()
    }
}

/// The relay's mode and open connections, shared by the accept path, the handlers and ``TCPRelay``.
private final class RelayControl: Sendable {
    private struct State {
        var mode: TCPRelay.Mode = .forward
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = NIOLockedValueBox(State())

    var isForwarding: Bool { state.withLockedValue { $0.mode == .forward } }

    /// Tracks an accepted connection; `false` if the relay refuses connections.
    func accept(_ channel: any Channel) -> Bool {
        let accepted = state.withLockedValue { $0.mode != .refuse }
        if accepted {
            track(channel)
        }
        return accepted
    }

    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLockedValue { $0.connections[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = state.withLockedValue { $0.connections.removeValue(forKey: id) }
        }
    }

    func setMode(_ mode: TCPRelay.Mode) {
        let closing = state.withLockedValue { state -> [any Channel] in
            state.mode = mode
            guard mode == .refuse else { return [] }
            defer { state.connections.removeAll() }
            return Array(state.connections.values)
        }
        closing.forEach { $0.close(promise: nil) }
    }
}

/// Writes what one side reads to the other side while the relay forwards; closes the partner when its own side
/// closes.
private final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let partner: any Channel
    private let control: RelayControl

    init(partner: any Channel, control: RelayControl) {
        self.partner = partner
        self.control = control
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if control.isForwarding {
            partner.writeAndFlush(bytes, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
