import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP server that accepts connections and never reads from them (its receive buffer
/// kept small, so a client's writes soon stop), counting the connections it accepted: a MetaServer
/// that stopped reading, or an address a test asserts nothing connects to.
final class SilentServer: Sendable {
    private let channel: any Channel
    private let children: Children

    /// `host:port` it listens on.
    let address: String

    private init(channel: any Channel, children: Children) {
        self.channel = channel
        self.children = children
        self.address = "127.0.0.1:\(channel.localAddress?.port ?? 0)"
    }

    /// Starts listening on an ephemeral loopback port.
    static func start() async throws -> SilentServer {
        let children = Children()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.so_rcvbuf), value: 4096)
            .childChannelInitializer { child in
                children.add(child)
                return child.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentServer(channel: channel, children: children)
    }

    /// Connections accepted so far.
    var acceptCount: Int { children.state.withLock { $0.count } }

    /// Stops listening and closes the accepted connections.
    func stop() async {
        try? await channel.close()
        for child in children.state.withLock({ $0.open }) { try? await child.close() }
    }

    /// The accepted connections.
    private final class Children: Sendable {
        let state = Mutex<(count: Int, open: [any Channel])>((0, []))
        func add(_ child: any Channel) {
            state.withLock {
                $0.count += 1
                $0.open.append(child)
            }
        }
    }
}
