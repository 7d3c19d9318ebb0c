import NIOCore
import NIOPosix
import PegasusWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps fleet connections open until the run stops: each slot connects, runs its
/// ``FleetConnectionHandler`` until the connection ends, waits `reconnectDelay` and connects again.
/// Failed connects are counted by kind (refused, other) and retried after the same delay.
struct FleetRunner: Sendable {
    let address: SocketAddress
    let group: MultiThreadedEventLoopGroup
    let encoder: RequestEncoder
    let timeline: FleetTimeline
    let control: RunControl
    let requestTimeout: TimeAmount
    let reconnectDelay: Duration

    /// Runs one slot until the run stops.
    func runSlot(index: Int, role: FleetRole, pace: FleetConnectionHandler.Pace) async {
        while control.phase != .stop {
            do {
                let channel = try await connect(index: index, role: role, pace: pace)
                try? await channel.closeFuture.get()
            } catch {
                let refused = (error as? IOError)?.errnoCode == ECONNREFUSED
                timeline.record(role) { bucket in
                    if refused { bucket.connectRefused += 1 } else { bucket.connectFailed += 1 }
                }
            }
            guard control.phase != .stop else { return }
            try? await Task.sleep(for: reconnectDelay)
        }
    }

    /// Closes what is open once the run stopped: every slot's current channel ends with the group.
    func shutdown() async {
        try? await group.shutdownGracefully()
    }

    private func connect(index: Int, role: FleetRole, pace: FleetConnectionHandler.Pace) async throws -> any Channel {
        let encoder = self.encoder
        let timeline = self.timeline
        let control = self.control
        let requestTimeout = self.requestTimeout
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(3))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(ResponseFrameDecoder(maxFrameBytes: 16 << 20)))
                    try sync.addHandler(
                        FleetConnectionHandler(
                            index: index, role: role, pace: pace, encoder: encoder, timeline: timeline,
                            control: control, requestTimeout: requestTimeout))
                }
            }
            .connect(to: address)
            .get()
        // A stop while connecting: do not keep the new connection.
        if control.phase == .stop { try? await channel.close() }
        return channel
    }
}
