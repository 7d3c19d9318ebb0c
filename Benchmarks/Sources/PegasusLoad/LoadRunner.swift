import Histogram
import NIOCore
import NIOPosix
import PegasusWire

/// Opens load connections to one target and drives them through the phases of a run.
final class LoadRunner: Sendable {
    private let host: String
    private let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let encoder: RequestEncoder
    private let stats: [ObjectIdentifier: NIOLoopBound<LoopStats>]
    /// The run's phase and budget.
    let control: RunControl

    private init(
        host: String, port: Int, group: MultiThreadedEventLoopGroup, encoder: RequestEncoder,
        stats: [ObjectIdentifier: NIOLoopBound<LoopStats>], control: RunControl
    ) {
        self.host = host
        self.port = port
        self.group = group
        self.encoder = encoder
        self.stats = stats
        self.control = control
    }

    /// Creates a runner with `threads` event loops.
    /// - Parameter requests: the run's request budget; `nil` = until stopped.
    static func make(
        host: String, port: Int, threads: Int, encoder: RequestEncoder, requests: Int?
    ) async throws -> LoadRunner {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var stats: [ObjectIdentifier: NIOLoopBound<LoopStats>] = [:]
        for loop in group.makeIterator() {
            stats[ObjectIdentifier(loop)] = try await loop.submit { NIOLoopBound(LoopStats(), eventLoop: loop) }.get()
        }
        return LoadRunner(
            host: host, port: port, group: group, encoder: encoder, stats: stats,
            control: RunControl(requests: requests))
    }

    /// Opens `count` connections, at most `concurrency` connects at a time.
    /// - Returns: the open channels and how many connects failed.
    func connect(
        count: Int, firstIndex: Int = 0, concurrency: Int = 256
    ) async -> (channels: [any Channel], failed: Int) {
        var channels: [any Channel] = []
        channels.reserveCapacity(count)
        var failed = 0
        await withTaskGroup(of: (any Channel)?.self) { tasks in
            var next = 0
            func addOne() {
                let index = firstIndex + next
                next += 1
                tasks.addTask { try? await self.connectOne(index: index) }
            }
            while next < min(count, concurrency) { addOne() }
            while let result = await tasks.next() {
                if let result { channels.append(result) } else { failed += 1 }
                if next < count { addOne() }
            }
        }
        return (channels, failed)
    }

    private func connectOne(index: Int) async throws -> any Channel {
        let encoder = self.encoder
        let stats = self.stats
        let control = self.control
        return try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let loopStats = stats[ObjectIdentifier(channel.eventLoop)]?.value else {
                        throw LoadError(.connectFailed, subject: "\(channel)", detail: "event loop outside the group")
                    }
                    let sync = channel.pipeline.syncOperations
                    if encoder.repliesAreRdsn {
                        try sync.addHandler(ByteToMessageHandler(RdsnFrameDecoder(maxFrameBytes: 16 << 20)))
                        try sync.addHandler(RdsnReplyAdapter())
                    } else {
                        try sync.addHandler(ByteToMessageHandler(ResponseFrameDecoder(maxFrameBytes: 16 << 20)))
                    }
                    try sync.addHandler(
                        LoadConnectionHandler(index: index, encoder: encoder, stats: loopStats, control: control))
                }
            }
            .connect(host: host, port: port)
            .get()
    }

    /// Starts `channels` together: on each event loop, every channel of that loop in one go.
    func start(_ channels: [any Channel], depth: Int) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, channels: [any Channel])] = [:]
        for channel in channels {
            byLoop[ObjectIdentifier(channel.eventLoop), default: (channel.eventLoop, [])].channels.append(channel)
        }
        for (_, entry) in byLoop {
            let loopChannels = entry.channels
            entry.loop.execute {
                for channel in loopChannels {
                    channel.pipeline.fireUserInboundEventTriggered(StartLoad(depth: depth))
                }
            }
        }
    }

    /// Every loop's stats, merged.
    func snapshot() async throws -> LoopSnapshot {
        var merged = LoopSnapshot(latency: LoopStats.makeHistogram(), counters: LoadCounters(), outstanding: 0)
        for (_, bound) in stats {
            let one = try await bound.eventLoop.submit { bound.value.snapshot }.get()
            merged.latency.add(one.latency)
            merged.counters.add(one.counters)
            merged.outstanding += one.outstanding
        }
        return merged
    }

    /// Waits until nothing is in flight (or `timeout` passes); returns what is still in flight.
    func drain(timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while true {
            let outstanding = try await snapshot().outstanding
            if outstanding == 0 || ContinuousClock.now >= deadline { return outstanding }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until `replies` replies have arrived (or `timeout` passes).
    func waitForReplies(_ replies: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await snapshot().counters.replies < replies, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Closes `channels` and stops the event loops.
    func shutdown(closing channels: [any Channel]) async {
        for channel in channels { channel.close(promise: nil) }
        try? await group.shutdownGracefully()
    }
}
