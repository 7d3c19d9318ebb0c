import Logging
import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import Synchronization
import TestSupport
import Testing

@testable import Router

/// The upstream query loop (`UpstreamQuery` driven by `LoopUpstreams`/`MetaClusterClient`) against
/// simulated MetaServers: leader following, failover, attempt timeouts, coalescing, one outcome per query.
@Suite("Upstream queries (simulated cluster)", .serialized, .timeLimit(.minutes(1)))
struct UpstreamQueryTests {
    /// Upstream events as text, in order.
    final class RecordingObserver: UpstreamObserver {
        let events = Mutex<[String]>([])
        func upstreamAnswered(cluster: String, meta: String, seconds: Double) { record("answered \(meta)") }
        func upstreamFailed(cluster: String, meta: String, code: UpstreamError.Code) { record("failed \(meta) \(code)") }
        func forwarded(cluster: String, from: String, to: String?) { record("forwarded \(from) -> \(to ?? "nil")") }
        func coalesced(cluster: String) { record("coalesced") }
        func replyReused(cluster: String) { record("reused") }
        func sentUpstream(cluster: String) { record("sent") }
        private func record(_ event: String) { events.withLock { $0.append(event) } }
        var all: [String] { events.withLock { $0 } }
    }

    /// A query that counts how often its outcome arrives.
    final class CountingQuery: UpstreamQuery {
        let promise: EventLoopPromise<ResponseFrame>
        var completions = 0

        init(args: ByteBuffer, deadline: NIODeadline, promise: EventLoopPromise<ResponseFrame>) {
            self.promise = promise
            super.init(name: RpcName.queryConfig, args: args, deadline: deadline, followsForwards: true)
        }

        override func completed(_ result: Result<ResponseFrame, UpstreamError>) {
            completions += 1
            guard completions == 1 else { return }
            switch result {
            case .success(let frame): promise.succeed(frame)
            case .failure(let error): promise.fail(error)
            }
        }
    }

    struct Fixture {
        let sim: SimCluster
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let observer = RecordingObserver()
        let pool: UpstreamPool
        let cluster: ClusterRoute

        init(metas: Int = 3, settings: UpstreamSettings = UpstreamSettings()) async throws {
            sim = try await SimClusters.start("c1", tables: [("t1", 4)], metas: metas)
            pool = UpstreamPool(group: group, settings: settings, observer: observer, logger: ProxyHarness.quiet)
            cluster = ClusterRoute(name: "c1", metas: try sim.metaAddresses.map { try Endpoint(parsing: $0) })
        }

        func query(timeout: TimeAmount = .seconds(10)) async throws -> QueryConfigResponse {
            let reply = try await pool.query(
                cluster: cluster, name: RpcName.queryConfig, args: UpstreamPoolTests.queryArgs("t1"), timeout: timeout)
            return try reply.decodeResult(QueryConfigResponse.self)
        }

        func leader() async throws -> Endpoint? {
            let loop = group.next()
            let pool = self.pool
            let cluster = self.cluster
            return try await loop.submit { pool.upstreams(on: loop)?.leader(of: cluster) }.get()
        }

        func stop() async throws {
            await pool.close()
            try await group.shutdownGracefully()
            await sim.stop()
        }
    }

    @Test("a forward names the leader: the query follows it, and the next query starts there")
    func followsTheLeader() async throws {
        let fixture = try await Fixture()
        try fixture.sim.setLeader(2)
        #expect(try await fixture.query().err == .ok)
        let metas = fixture.cluster.metas
        #expect(try await fixture.leader() == metas[2])
        #expect(fixture.observer.all.contains("forwarded \(metas[0]) -> \(metas[2])"))
        #expect(fixture.sim.stats().metas.map(\.queryConfig) == [1, 0, 1])

        #expect(try await fixture.query().err == .ok)
        #expect(fixture.sim.stats().metas.map(\.queryConfig) == [1, 0, 2])
        try await fixture.stop()
    }

    @Test("a MetaServer that refuses connections is skipped for the next one")
    func failsOverOnConnectFailure() async throws {
        let fixture = try await Fixture()
        try fixture.sim.setLeader(1)
        try await fixture.sim.killMeta(0)
        #expect(try await fixture.query().err == .ok)
        let metas = fixture.cluster.metas
        #expect(fixture.observer.all.contains { $0.hasPrefix("failed \(metas[0]) ") })
        #expect(try await fixture.leader() == metas[1])
        try await fixture.stop()
    }

    @Test("a hung MetaServer: the attempt times out and the next MetaServer answers")
    func attemptTimeoutMovesOn() async throws {
        let fixture = try await Fixture(settings: UpstreamSettings(attemptTimeout: .milliseconds(200)))
        try fixture.sim.setLeader(1)
        try fixture.sim.hangMeta(0)
        #expect(try await fixture.query().err == .ok)
        let metas = fixture.cluster.metas
        #expect(fixture.observer.all.contains("failed \(metas[0]) \(UpstreamError.Code.timeout)"))
        #expect(fixture.observer.all.contains("answered \(metas[1])"))
        try await fixture.stop()
    }

    @Test("every MetaServer hung: the query fails at its own deadline, before the attempt timeout")
    func queryDeadlineBoundsTheAttempt() async throws {
        let fixture = try await Fixture(metas: 1, settings: UpstreamSettings(attemptTimeout: .seconds(30)))
        try fixture.sim.hangMeta(0)
        let error = await #expect(throws: UpstreamError.self) { try await fixture.query(timeout: .milliseconds(300)) }
        #expect(error?.code == .allMetasFailed || error?.code == .deadlineExceeded)
        try await fixture.stop()
    }

    @Test("identical queries in flight share one upstream call; a joiner with an earlier deadline fails alone")
    func coalescedQueries() async throws {
        let fixture = try await Fixture()
        try fixture.sim.setLatency(.milliseconds(500))
        _ = try await fixture.query()  // connects and learns the leader
        fixture.sim.resetStats()

        let loop = fixture.group.next()
        let pool = fixture.pool
        let cluster = fixture.cluster
        let args = UpstreamPoolTests.queryArgs("t1")
        let futures = try await loop.submit {
            let upstreams = pool.upstreams(on: loop)
            return [NIODeadline.now() + .seconds(10), .now() + .seconds(5), .now() + .milliseconds(100)].map { deadline in
                upstreams?.query(cluster: cluster, name: RpcName.queryConfig, args: args, deadline: deadline, followsForwards: true)
                    ?? loop.makeFailedFuture(UpstreamError(.shuttingDown, cluster: "c1"))
            }
        }.get()
        #expect(try await futures[0].get().decodeResult(QueryConfigResponse.self).err == .ok)
        #expect(try await futures[1].get().decodeResult(QueryConfigResponse.self).err == .ok)
        let error = await #expect(throws: UpstreamError.self) { try await futures[2].get() }
        #expect(error?.code == .deadlineExceeded)
        #expect(SimClusters.queryCount(fixture.sim) == 1)
        #expect(fixture.observer.all.filter { $0 == "coalesced" }.count == 2)
        try await fixture.stop()
    }

    @Test("a query's outcome arrives exactly once, also when its MetaServer fails and the next answers")
    func completesOnce() async throws {
        let fixture = try await Fixture(settings: UpstreamSettings(attemptTimeout: .milliseconds(200)))
        try fixture.sim.setLeader(1)
        try fixture.sim.hangMeta(0)
        let loop = fixture.group.next()
        let pool = fixture.pool
        let cluster = fixture.cluster
        let args = UpstreamPoolTests.queryArgs("t1")
        let (query, reply) = try await loop.submit {
            let query = CountingQuery(args: args, deadline: .now() + .seconds(10), promise: loop.makePromise())
            pool.upstreams(on: loop)?.start(query, cluster: cluster)
            return (NIOLoopBound(query, eventLoop: loop), query.promise.futureResult)
        }.get()
        let frame = try await reply.get()
        #expect(try frame.decodeResult(QueryConfigResponse.self).err == .ok)
        // Late events of both attempts (seqids 1 and 2 of this loop: the timed-out one and the answered
        // one), delivered now rather than waited for: none completes the query again.
        let completions = try await loop.submit {
            let late = query.value
            for seqid: Int32 in [1, 2] {
                late.metaReplied(seqid: seqid, frame: frame)
                late.metaFailed(seqid: seqid, error: UpstreamError(.connectionClosed, cluster: "c1"))
            }
            return late.completions
        }.get()
        #expect(completions == 1)
        try await fixture.stop()
    }
}
