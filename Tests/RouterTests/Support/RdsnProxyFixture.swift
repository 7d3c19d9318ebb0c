import Foundation
import Logging
import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing
import ZooKeeper

@testable import Router

/// An in-process meta-proxy (``ProxyApplication``) in front of two simulated clusters, its routes
/// in ZooKeeper (`ZK_ADDRESS`), for the Rdsn*Tests suites.
///
/// Cluster A (`rdsnA`, app ids from 1) holds `t1` (8 partitions), `temp` (4, the table of the
/// golden requests) and `shared` (4); cluster B (`rdsnB`, app ids from 100) holds `t2` (4) and
/// `shared` (4). Routes: `t1`, `temp` → A, `t2` → B, `shared` → A with backup B, `dead` → a
/// cluster whose only MetaServer refuses connections.
struct RdsnProxyFixture {
    /// Cluster A.
    let a: SimCluster
    /// Cluster B.
    let b: SimCluster
    /// The proxy's client address, `127.0.0.1:port`.
    let proxy: String
    /// The failover view the proxy reads; tests switch tables to a backup with it.
    let effective: SwitchableRoutes

    /// The proxy's `server.max_frame_bytes`.
    static let maxFrameBytes = 64 << 10

    /// A quiet logger; `RDSN_TEST_LOG_LEVEL=debug` shows the proxy's lines.
    static let logger = TestLogging.logger(label: "RdsnProxyTests", levelFrom: "RDSN_TEST_LOG_LEVEL")

    /// Starts clusters, routes and proxy, runs `body`, then stops everything.
    static func run(_ body: (RdsnProxyFixture) async throws -> Void) async throws {
        let a = try await startSim("rdsnA", tables: ["t1": 8, "temp": 4, "shared": 4], appIdBase: 1)
        let b = try await startSim("rdsnB", tables: ["t2": 4, "shared": 4], appIdBase: 100)
        let client = try await TestZooKeeper.connectedClient(logger: logger)
        let root = TestZooKeeper.uniqueRoot(prefix: "rdsn-test")
        var failure: (any Error)?
        do {
            let admin = RouteAdmin(client: client, root: root)
            let clusterA = try clusterRoute(a)
            let clusterB = try clusterRoute(b)
            let dead = ClusterRoute(name: "dead", metas: [try Endpoint(parsing: "127.0.0.1:1")])
            _ = try await admin.set(Route(table: "t1", primary: clusterA, backups: []))
            _ = try await admin.set(Route(table: "temp", primary: clusterA, backups: []))
            _ = try await admin.set(Route(table: "t2", primary: clusterB, backups: []))
            _ = try await admin.set(Route(table: "shared", primary: clusterA, backups: [clusterB]))
            _ = try await admin.set(Route(table: "dead", primary: dead, backups: []))
            try await serve(routes: ZooKeeperRouteStore(client: client, root: root, logger: logger)) { proxy, effective in
                try await body(RdsnProxyFixture(a: a, b: b, proxy: proxy, effective: effective))
            }
        } catch {
            failure = error
        }
        await a.stop()
        await b.stop()
        await client.deleteTree(root)
        await client.close()
        if let failure { throw failure }
    }

    private static func startSim(_ name: String, tables: [String: Int], appIdBase: Int32) async throws -> SimCluster {
        let cluster = try SimCluster(
            configuration: SimClusterConfiguration(
                name: name,
                tables: tables.sorted { $0.key < $1.key }.map { SimTable(name: $0.key, partitionCount: $0.value) },
                appIdBase: appIdBase
            )
        )
        try await cluster.start()
        return cluster
    }

    /// A sim's name and MetaServers as a ``ClusterRoute``.
    private static func clusterRoute(_ cluster: SimCluster) throws -> ClusterRoute {
        ClusterRoute(name: cluster.configuration.name, metas: try cluster.metaAddresses.map { try Endpoint(parsing: $0) })
    }

    /// Runs the route store and a proxy on loopback while `body` runs.
    private static func serve(
        routes: ZooKeeperRouteStore,
        _ body: (String, SwitchableRoutes) async throws -> Void
    ) async throws {
        let effective = SwitchableRoutes()
        let metrics = ProxyMetrics()
        let upstreams = UpstreamPool(
            group: MultiThreadedEventLoopGroup.singleton, settings: UpstreamSettings(attemptTimeout: .milliseconds(1000)),
            observer: metrics, logger: logger)
        var settings = ProxySettings()
        settings.maxFrameBytes = maxFrameBytes
        let proxy = ProxyServer(
            host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
            dependencies: ProxyDependencies(
                routes: routes, effective: effective, upstreams: upstreams, metrics: metrics, settings: settings,
                logger: logger))
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: routes), .init(service: proxy)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var failure: (any Error)?
            do {
                let address = try await proxy.localAddress()
                try await body("127.0.0.1:\(address.port ?? 0)", effective)
            } catch {
                failure = error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            await upstreams.close()
            if let failure { throw failure }
        }
    }

    // MARK: - Requests as clients send them

    /// The C++ client's query for `table` (context `0x441`, from 10.1.2.3:1, timeout 5000 ms).
    static func rdsnQuery(_ table: String, id: UInt64, timeoutMs: Int32 = 5000) -> RdsnFrame {
        RdsnFrame.request(
            name: RpcName.queryConfig, id: id, traceId: id ^ 0x5a5a_5a5a_5a5a_5a5a, timeoutMs: timeoutMs,
            from: RpcAddress(parsing: "10.1.2.3:1") ?? .invalid,
            body: RdsnFrame.body(wrapping: QueryConfigRequest(appName: table)))
    }

    /// The bytes of `frame`.
    static func bytes(_ frame: RdsnFrame, checksums: RdsnChecksums) -> [UInt8] {
        var buffer = ByteBuffer()
        frame.encode(into: &buffer, checksums: checksums)
        return Array(buffer.readableBytesView)
    }

    /// The Python client's query for `table` (THFT header v0).
    static func thftQuery(_ table: String, seqid: Int32) -> [UInt8] {
        var buffer = ByteBuffer()
        RequestFrame.make(
            header: RequestHeader(), name: RpcName.queryConfig, seqid: seqid,
            args: QueryConfigRequest(appName: table)
        ).encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// A golden request of `Tests/Fixtures/pegasus-rpc` (see its README.md).
    static func golden(_ name: String) throws -> [UInt8] {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/",
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path)
        {
            directory = directory.deletingLastPathComponent()
        }
        let file = directory.appendingPathComponent("Tests/Fixtures/pegasus-rpc/\(name)")
        return try hexBytes(String(contentsOf: file, encoding: .utf8))
    }

    /// The bytes of a hex text (whitespace ignored).
    static func hexBytes(_ text: String) throws -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard index + 1 < digits.count, let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
                throw RdsnTestFailure(description: "bad hex at \(index)")
            }
            return byte
        }
    }

    /// The C++ client's query for table `temp` as docs/protocol.md §6 spells it (id 258, no CRCs):
    /// the bytes of `RdsnGoldenFrames.request` in PegasusWireTests.
    static let goldenRdsnRequest = """
        5244534e00000000c00000000000000018000000000000000201000000000000
        88776655443322115250435f434d5f51554552595f504152544954494f4e5f43
        4f4e4649475f42595f494e444558000000000000000000002301000000000000
        00000000000000004104000000000000010001000302010a8813000000000000
        \(String(repeating: "00", count: 64))
        0c00000b00010000000474656d700f000208000000000000
        """

    /// The app id of `table` in `cluster`.
    static func appId(_ table: String, in cluster: SimCluster) -> Int32? {
        cluster.tables.first { $0.name == table }?.appId
    }
}

/// An ``EffectiveRouteSource`` tests steer: a table switched to a backup cluster (by name) is
/// served by it, every other table by its primary.
final class SwitchableRoutes: EffectiveRouteSource {
    private let active = Mutex<[String: String]>([:])
    private let changeGeneration = ChangeGeneration()

    /// Serves `table` from its backup named `cluster`.
    func switchTable(_ table: String, to cluster: String) {
        active.withLock { $0[table] = cluster }
        changeGeneration.advance()
    }

    /// Serves `table` from its primary again.
    func switchBack(_ table: String) {
        active.withLock { _ = $0.removeValue(forKey: table) }
        changeGeneration.advance()
    }

    var generation: UInt64 { changeGeneration.current }

    func activeCluster(for route: Route) -> ClusterRoute {
        guard let name = active.withLock({ $0[route.table] }) else { return route.primary }
        return route.backups.first { $0.name == name } ?? route.primary
    }
}

/// A raw client connection that records every byte the proxy sends and whether it closed.
final class RdsnTestClient: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let state = Mutex<(received: ByteBuffer, closed: Bool)>((ByteBuffer(), false))
    private let channelBox = Mutex<(any Channel)?>(nil)

    /// Connects to `address` (`host:port`).
    static func connect(_ address: String) async throws -> RdsnTestClient {
        let endpoint = try Endpoint(parsing: address)
        let client = RdsnTestClient()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(client) }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .get()
        client.channelBox.withLock { $0 = channel }
        return client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        state.withLock { _ = $0.received.writeBuffer(&bytes) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { $0.closed = true }
        context.fireChannelInactive()
    }

    /// Sends raw bytes.
    func send(_ bytes: some Sequence<UInt8>) async throws {
        guard let channel = channelBox.withLock({ $0 }) else { return }
        try await channel.writeAndFlush(ByteBuffer(bytes: Array(bytes)))
    }

    /// Sends `frame` with `checksums`.
    func send(_ frame: RdsnFrame, checksums: RdsnChecksums = .none) async throws {
        try await send(RdsnProxyFixture.bytes(frame, checksums: checksums))
    }

    /// Bytes received and not yet read as a reply.
    var pendingByteCount: Int { state.withLock { $0.received.readableBytes } }

    /// Whether the proxy closed the connection.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// The next RDSN reply (the decoder checks magic, lengths and non-zero CRCs).
    func rdsnReply(within timeout: Duration = .seconds(30)) async throws -> RdsnFrame {
        try await next(within: timeout) { buffer throws -> RdsnFrame? in
            guard let total = try RdsnFrame.frameLength(peeking: buffer, maxFrameBytes: 1 << 24),
                buffer.readableBytes >= total
            else { return nil }
            return try RdsnFrame.read(from: &buffer)
        }
    }

    /// The next THFT reply.
    func thftReply(within timeout: Duration = .seconds(30)) async throws -> ResponseFrame {
        try await next(within: timeout) { buffer throws -> ResponseFrame? in
            guard let total = try ResponseFrame.frameLength(peeking: buffer, maxFrameBytes: 1 << 24),
                buffer.readableBytes >= total
            else { return nil }
            return try ResponseFrame.read(from: &buffer)
        }
    }

    /// Whether the proxy closed the connection within `timeout`.
    func closedByPeer(within timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(within: timeout, every: .milliseconds(5)) { isClosed }
    }

    /// Closes the connection.
    func close() async {
        try? await channelBox.withLock({ $0 })?.close()
    }

    private func next<T: Sendable>(
        within timeout: Duration,
        _ parse: (inout ByteBuffer) throws -> T?
    ) async throws -> T {
        // `.some(nil)`: the connection closed with nothing (more) to parse.
        let outcome = try await poll(within: timeout, every: .milliseconds(5)) { () throws -> T?? in
            if let value = try state.withLock({ try parse(&$0.received) }) { return value }
            guard isClosed else { return nil }
            return .some(try state.withLock({ try parse(&$0.received) }))
        }
        switch outcome {
        case .some(.some(let value)): return value
        case .some(.none): throw RdsnTestFailure(description: "connection closed")
        case .none: throw RdsnTestFailure(description: "nothing within \(timeout)")
        }
    }
}

/// A test helper could not do what the test asked (nothing arrived in time, bad hex).
struct RdsnTestFailure: Error, CustomStringConvertible {
    var description: String
}
