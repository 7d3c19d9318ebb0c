import Logging
import NIOCore
import NIOPosix
import PegasusWire
import Synchronization

/// The listener of one simulated node: one port serving THFT RPC and HTTP. It can be closed
/// (listener and every open connection, so new connections are refused) and opened again on the
/// same port.
final class SimEndpoint: Sendable {
    private struct Sockets {
        var accepting = false
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var port: Int
    }

    /// The node this endpoint serves.
    let node: SimNodeID
    private let host: String
    private let group: any EventLoopGroup
    private let core: SimClusterCore
    private let logger: Logger
    private let sockets: Mutex<Sockets>
    /// Holds the port while the node is dead (see ``SimPortReservation``).
    private let reservation = Mutex<SimPortReservation?>(nil)

    /// Creates a closed endpoint.
    /// - Parameters:
    ///   - node: The node it serves.
    ///   - host: The IPv4 address to listen on.
    ///   - port: The port; 0 = ephemeral on first open, then kept.
    ///   - group: Where its channels run.
    ///   - core: The cluster state that answers its requests.
    ///   - logger: Logs lifecycle at info, connections at debug.
    init(node: SimNodeID, host: String, port: Int, group: any EventLoopGroup, core: SimClusterCore, logger: Logger) {
        self.node = node
        self.host = host
        self.group = group
        self.core = core
        var logger = logger
        logger[metadataKey: SimLoggingKeys.node] = "\(node)"
        self.logger = logger
        self.sockets = Mutex(Sockets(port: port))
    }

    /// Opens the listener (on the remembered port after the first time).
    /// - Returns: The bound address.
    func open() -> EventLoopFuture<Endpoint> {
        let (port, alreadyOpen) = sockets.withLock { sockets -> (Int, (any Channel)?) in
            sockets.accepting = true
            return (sockets.port, sockets.listener)
        }
        if let alreadyOpen {
            return alreadyOpen.eventLoop.makeSucceededFuture(Endpoint(literalHost: host, port: port))
        }
        _ = reservation.withLock { $0.take() }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.adopt(channel)
                }
            }
        return bootstrap.bind(host: host, port: port).flatMapThrowing { channel in
            let boundPort = channel.localAddress?.port ?? port
            let keep = self.sockets.withLock { sockets -> Bool in
                guard sockets.accepting, sockets.listener == nil else {
                    return false
                }
                sockets.listener = channel
                sockets.port = boundPort
                return true
            }
            guard keep else {
                channel.close(promise: nil)
                throw SimError(.bindFailed, subject: "\(self.node)", detail: "closed while opening")
            }
            self.logger.info("node listening", metadata: [SimLoggingKeys.address: "\(self.host):\(boundPort)"])
            return Endpoint(literalHost: self.host, port: boundPort)
        }
    }

    /// Closes the listener and every open connection.
    func close() -> EventLoopFuture<Void> {
        let channels = sockets.withLock { sockets -> [any Channel] in
            sockets.accepting = false
            let channels = (sockets.listener.map { [$0] } ?? []) + Array(sockets.connections.values)
            sockets.listener = nil
            sockets.connections = [:]
            return channels
        }
        if !channels.isEmpty {
            logger.info("node closed", metadata: [SimLoggingKeys.address: "\(host):\(sockets.withLock { $0.port })"])
        }
        let closed = channels.map { channel in
            channel.close().recover { _ in }
        }
        let host = self.host
        let port = sockets.withLock { $0.port }
        return EventLoopFuture.andAllComplete(closed, on: group.any()).map {
            guard port != 0, !self.sockets.withLock({ $0.accepting }) else { return }
            self.reservation.withLock { $0 = SimPortReservation(host: host, port: port) }
        }
    }

    /// Registers an accepted connection and installs the protocol detector; a connection that
    /// races with `close()` is refused.
    private func adopt(_ channel: any Channel) throws {
        let id = ObjectIdentifier(channel)
        let accepted = sockets.withLock { sockets -> Bool in
            guard sockets.accepting else {
                return false
            }
            sockets.connections[id] = channel
            return true
        }
        guard accepted else {
            throw SimError(.notStarted, subject: "\(node)", detail: "connection arrived while closing")
        }
        channel.closeFuture.whenComplete { _ in
            self.sockets.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
        var logger = self.logger
        logger[metadataKey: SimLoggingKeys.peer] = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        let node = self.node
        let core = self.core
        try channel.pipeline.syncOperations.addHandler(
            SimProtocolDetector.make(
                logger: logger,
                rpc: { frame in core.rpc(node, frame) },
                http: { target in core.http(node, target: target) }
            )
        )
    }
}
