import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP control port for a `SimCluster` (see `SimControlRouter` for the paths), so tests in
/// other processes can fail and heal the cluster: `GET /kill?meta=1`, `GET /stats`, ...
public final class SimControlServer: Sendable {
    private let channel: any Channel

    /// The bound `host:port`.
    public let address: String

    private init(channel: any Channel, address: String) {
        self.channel = channel
        self.address = address
    }

    /// Starts a control server for `cluster`.
    /// - Parameters:
    ///   - cluster: The cluster to control.
    ///   - host: The address to listen on. Default `127.0.0.1`.
    ///   - port: The port; 0 = ephemeral.
    ///   - eventLoopGroup: Where it runs. Default: NIO's shared singleton.
    ///   - logger: Lifecycle at info, requests at trace.
    /// - Throws: `SimError.Code.bindFailed`.
    public static func start(
        cluster: SimCluster,
        host: String = "127.0.0.1",
        port: Int = 0,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "pegasus-sim", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(SimError) -> SimControlServer {
        var logger = logger
        logger[metadataKey: SimLoggingKeys.node] = "control"
        let router = SimControlRouter(cluster: cluster)
        let handlerLogger = logger
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        SimHTTPHandler(logger: handlerLogger, respond: { router.respond(to: $0) })
                    )
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw SimError(.bindFailed, subject: "\(host):\(port)", detail: "\(error)")
        }
        let address = "\(host):\(channel.localAddress?.port ?? port)"
        logger.info("control server listening", metadata: [SimLoggingKeys.address: "\(address)"])
        return SimControlServer(channel: channel, address: address)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }
}
