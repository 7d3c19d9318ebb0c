import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Synchronization
import TestSupport
import Testing

@testable import Router

/// The upstream pool against MetaServers that misbehave at the TCP level, over real sockets:
/// one that stops reading, a flow that goes silent (no FIN, no RST) and heals, and a MetaServer
/// whose leader hint points outside its cluster.
@Suite("Upstream resilience", .serialized, .timeLimit(.minutes(1)))
struct UpstreamResilienceTests {
    /// Counts upstream failures by code.
    final class CountingObserver: UpstreamObserver {
        private let counts = Mutex<[String: Int]>([:])
        func count(_ code: UpstreamError.Code) -> Int { counts.withLock { $0[code.description] ?? 0 } }
        func upstreamFailed(cluster: String, meta: String, code: UpstreamError.Code) {
            counts.withLock { $0[code.description, default: 0] += 1 }
        }
        func upstreamAnswered(cluster: String, meta: String, seconds: Double) {}
        func forwarded(cluster: String, from: String, to: String?) {}
        func coalesced(cluster: String) {}
        func replyReused(cluster: String) {}
        func sentUpstream(cluster: String) {}
    }

    static func queryArgs(_ table: String) -> ByteBuffer { UpstreamPoolTests.queryArgs(table) }

    /// Runs one query-config for `table` against `cluster` through `pool` on `loop`.
    static func query(
        _ pool: UpstreamPool, on loop: any EventLoop, cluster: ClusterRoute, table: String = "t1",
        args: ByteBuffer? = nil
    ) async throws -> EventLoopFuture<ResponseFrame> {
        let args = args ?? queryArgs(table)
        return try await loop.submit {
            let query = PromiseQuery(
                name: RpcName.queryConfig, args: args, deadline: .now() + .seconds(20), followsForwards: true,
                promise: loop.makePromise())
            pool.upstreams(on: loop)?.start(query, cluster: cluster)
            return query.promise.futureResult
        }.get()
    }

    @Test("a MetaServer that stops reading holds at most the queued-bytes budget; the rest fail fast; bytes freed")
    func deafMetaServerIsBounded() async throws {
        let deaf = try await SilentServer.start()
        let sim = try await SimClusters.start("simA", tables: [("t1", 2)])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let observer = CountingObserver()
        let budget = 1 << 20
        let pool = UpstreamPool(
            group: group,
            settings: UpstreamSettings(
                attemptTimeout: .seconds(3), coalesce: false, maxQueuedBytes: budget, maxConsecutiveTimeouts: 2),
            observer: observer, logger: ProxyHarness.quiet)
        let deafCluster = ClusterRoute(name: "deaf", metas: [try Endpoint(parsing: deaf.address)])

        // 80 queries of 256 KiB each, one per event loop tick: 20 MiB, twenty times the budget
        // (the kernel's socket buffers take a few MiB before the proxy holds any).
        let large = ByteBuffer(repeating: 0x61, count: 256 << 10)
        var fast = 0
        var all: [EventLoopFuture<ResponseFrame>] = []
        for _ in 0..<80 {
            let (future, refused) = try await loop.submit { () -> (EventLoopFuture<ResponseFrame>, Bool) in
                let query = PromiseQuery(
                    name: RpcName.queryConfig, args: large, deadline: .now() + .seconds(20), followsForwards: true,
                    promise: loop.makePromise())
                pool.upstreams(on: loop)?.start(query, cluster: deafCluster)
                // Failed before `start` returned: refused, not queued.
                var refused = false
                query.promise.futureResult.assumeIsolated().whenFailure { error in
                    refused = "\(error)".contains(UpstreamError.Code.queueFull.description)
                }
                return (query.promise.futureResult, refused)
            }.get()
            if refused { fast += 1 }
            all.append(future)
        }
        #expect(fast >= 40, "\(fast) of 80 refused at once")
        #expect(observer.count(.queueFull) == fast)
        // Bounded: the socket's write buffer (up to the budget) plus at most one batch past it.
        let queued = await pool.queuedBytes()
        #expect(queued <= 2 * budget + large.readableBytes, "\(queued) bytes queued")

        // A bystander cluster on the same loop is unaffected.
        let bystander = try await Self.query(pool, on: loop, cluster: try SimClusters.route("t1", to: sim).primary).get()
        #expect(try bystander.decodeResult(QueryConfigResponse.self).err == .ok)

        // The queued queries time out; two in a row close the connection and free its bytes.
        for future in all { _ = try? await future.get() }
        #expect(await eventually { await pool.queuedBytes() == 0 })
        #expect(observer.count(.stalled) >= 1)

        await pool.close()
        try await group.shutdownGracefully()
        await deaf.stop()
        await sim.stop()
    }

    @Test("a silently dead MetaServer connection is replaced once the path heals")
    func blackholedConnectionIsReplaced() async throws {
        let sim = try await SimClusters.start("simB", tables: [("t1", 1)], metas: 1)
        let relay = try await TCPRelay.start(to: sim.metaAddresses[0])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let observer = CountingObserver()
        let pool = UpstreamPool(
            group: group,
            settings: UpstreamSettings(attemptTimeout: .milliseconds(300), coalesce: false, maxConsecutiveTimeouts: 2),
            observer: observer, logger: ProxyHarness.quiet)
        let cluster = ClusterRoute(name: "simB", metas: [try Endpoint(parsing: relay.address)])
        func succeeds() async throws -> Bool {
            let reply = try? await Self.query(pool, on: loop, cluster: cluster).get()
            return try reply?.decodeResult(QueryConfigResponse.self).err == .ok
        }

        #expect(try await succeeds())
        relay.blackhole()
        #expect(try await !succeeds())
        #expect(try await !succeeds())
        relay.heal()
        // The connection that timed out twice in a row was closed: the next query reconnects.
        var results: [Bool] = []
        for _ in 0..<3 { results.append(try await succeeds()) }
        #expect(results == [true, true, true], "\(results)")
        #expect(observer.count(.stalled) == 1)

        await pool.close()
        try await group.shutdownGracefully()
        await relay.shutdown()
        await sim.stop()
    }

    @Test("a leader hint outside the cluster's MetaServers is not followed: no connection to it, the configured leader answers")
    func foreignLeaderHintIsRefused() async throws {
        let outside = try await SilentServer.start()
        let sim = try await SimClusters.start("simC", tables: [("t1", 1)])
        try sim.setLeader(1)
        try sim.advertiseMeta(1, as: outside.address)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let observer = CountingObserver()
        let pool = UpstreamPool(
            group: group, settings: UpstreamSettings(attemptTimeout: .seconds(2)), observer: observer,
            logger: ProxyHarness.quiet)
        let cluster = try SimClusters.route("t1", to: sim).primary

        for _ in 0..<3 {
            let reply = try await Self.query(pool, on: loop, cluster: cluster).get()
            #expect(try reply.decodeResult(QueryConfigResponse.self).err == .ok)
        }
        #expect(outside.acceptCount == 0)
        #expect(observer.count(.foreignLeaderHint) >= 1)
        #expect(try await loop.submit { pool.upstreams(on: loop)?.leader(of: cluster) }.get() == cluster.metas[1])

        await pool.close()
        try await group.shutdownGracefully()
        await outside.stop()
        await sim.stop()
    }
}
