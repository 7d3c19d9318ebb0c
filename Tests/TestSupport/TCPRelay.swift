import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP relay in front of a server that a test can cut (close every connection and
/// refuse new ones) and restore, to make a client lose its server without stopping the server;
/// or blackhole (keep every connection open but drop its bytes silently, no FIN, no RST, as a
/// lost NAT or conntrack entry does) and heal (new connections relay again; the blackholed ones
/// stay dead, as such a flow does).
public final class TCPRelay: Sendable {
    private let serverChannel: any Channel
    private let links: Links

    /// `127.0.0.1:port` of the relay.
    public let address: String

    private init(serverChannel: any Channel, links: Links, port: Int) {
        self.serverChannel = serverChannel
        self.links = links
        self.address = "127.0.0.1:\(port)"
    }

    /// Starts a relay on an ephemeral loopback port to `upstream` (`host:port`).
    public static func start(to upstream: String) async throws -> TCPRelay {
        let parts = upstream.split(separator: ":")
        let target = try SocketAddress(ipAddress: String(parts[0]), port: Int(parts.last ?? "") ?? 0)
        let links = Links()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard links.admit(inbound) else { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop).connect(to: target).flatMapThrowing { outbound in
                    guard links.admit(outbound) else { throw ChannelError.ioOnClosedChannel }
                    try inbound.pipeline.syncOperations.addHandler(Pipe(partner: outbound, links: links))
                    try outbound.pipeline.syncOperations.addHandler(Pipe(partner: inbound, links: links))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TCPRelay(serverChannel: server, links: links, port: server.localAddress?.port ?? 0)
    }

    /// Closes every relayed connection and refuses new ones until ``restore()``.
    public func cut() { links.setOpen(false) }

    /// Relays new connections again.
    public func restore() { links.setOpen(true) }

    /// Silently drops every byte of the open connections, and of new ones until ``heal()``.
    public func blackhole() { links.setBlackholed(true) }

    /// Relays new connections again; those blackholed stay silent.
    public func heal() { links.setBlackholed(false) }

    /// Stops listening and closes every connection.
    public func shutdown() async {
        links.setOpen(false)
        try? await serverChannel.close()
    }

    /// Runs `body` with a relay to `upstream`, then shuts the relay down, whether `body` threw or not.
    public static func withRelay(to upstream: String, _ body: (TCPRelay) async throws -> Void) async throws {
        let relay = try await start(to: upstream)
        do {
            try await body(relay)
        } catch {
            await relay.shutdown()
            throw error
        }
        await relay.shutdown()
    }

    /// The relayed channels and whether new ones are accepted.
    private final class Links: Sendable {
        private let state = Mutex<(open: Bool, channels: [ObjectIdentifier: any Channel])>((true, [:]))
        private let silence = Mutex<(on: Bool, dead: Set<ObjectIdentifier>)>((false, []))

        func admit(_ channel: any Channel) -> Bool {
            let id = ObjectIdentifier(channel)
            let admitted = state.withLock { state in
                if state.open { state.channels[id] = channel }
                return state.open
            }
            if admitted {
                silence.withLock { silence in
                    if silence.on { silence.dead.insert(id) }
                }
                channel.closeFuture.whenComplete { [self] _ in
                    _ = state.withLock { $0.channels.removeValue(forKey: id) }
                    // The identifier may be reused by a later channel, which must not inherit the silence.
                    _ = silence.withLock { $0.dead.remove(id) }
                }
            }
            return admitted
        }

        /// Whether `channel`'s bytes are dropped.
        func isDead(_ channel: any Channel) -> Bool {
            silence.withLock { $0.dead.contains(ObjectIdentifier(channel)) }
        }

        func setBlackholed(_ on: Bool) {
            let open = state.withLock { Set($0.channels.keys) }
            silence.withLock { silence in
                silence.on = on
                if on { silence.dead.formUnion(open) }
            }
        }

        func setOpen(_ open: Bool) {
            let closing = state.withLock { state -> [any Channel] in
                state.open = open
                return open ? [] : Array(state.channels.values)
            }
            closing.forEach { $0.close(promise: nil) }
        }
    }

    /// Writes what its channel reads to the partner (unless blackholed); closes the partner when its channel closes.
    private final class Pipe: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let partner: any Channel
        private let links: Links

        init(partner: any Channel, links: Links) {
            self.partner = partner
            self.links = links
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if links.isDead(context.channel) { return }
            partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            partner.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
