import NIOCore
import NIOPosix
import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

@Suite("UpstreamPool", .serialized, .timeLimit(.minutes(1)))
struct UpstreamPoolTests {
    static func queryArgs(_ table: String) -> ByteBuffer {
        RequestFrame.make(
            header: RequestHeader(), name: RpcName.queryConfig, seqid: 0, args: QueryConfigRequest(appName: table)
        ).args
    }

    @Test("clients of clusters whose MetaServers changed are dropped once idle, never while a query is in flight")
    func idleClientsAreDropped() async throws {
        let sim = try await SimClusters.start("simA", tables: [("t1", 2)])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let pool = UpstreamPool(
            group: group, settings: UpstreamSettings(idleClientTimeout: .milliseconds(200)), logger: ProxyHarness.quiet)
        let metas = try sim.metaAddresses.map { try Endpoint(parsing: $0) }
        // The same cluster name with its MetaServer list changed, as a route update would give.
        let versions = [metas, Array(metas.reversed()), [metas[0], metas[2]], [metas[1], metas[0]]]
            .map { ClusterRoute(name: "simA", metas: $0) }
        // The idle sweep reads the time a query starts with (`now:`): the queries below start a minute
        // apart on that reading, so no test waits for the 200 ms to pass.
        let start = NIODeadline.now()
        let args = Self.queryArgs("t1")
        @Sendable func query(_ cluster: ClusterRoute, minute: Int64) async throws -> EventLoopFuture<ResponseFrame> {
            try await loop.submit {
                let now = start + .minutes(minute)
                let query = PromiseQuery(
                    name: RpcName.queryConfig, args: args, deadline: now + .seconds(10), followsForwards: true,
                    promise: loop.makePromise())
                pool.upstreams(on: loop)?.start(query, cluster: cluster, now: now)
                return query.promise.futureResult
            }.get()
        }

        for (minute, version) in versions.enumerated() {
            let reply = try await query(version, minute: Int64(minute)).get()
            #expect(try reply.decodeResult(QueryConfigResponse.self).err == .ok)
        }
        // Each query found the previous cluster idle for longer than 200 ms and dropped it.
        #expect(await pool.clientCount() == 1)

        // A cluster with a query in flight is kept, however long the query takes: this one waits
        // on a hung MetaServer until it is killed, then the leader answers it.
        try sim.setLeader(1)
        try sim.hangMeta(0)
        let slow = try await query(versions[0], minute: 4)
        let other = try await query(versions[1], minute: 5).get()
        #expect(try other.decodeResult(QueryConfigResponse.self).err == .ok)
        #expect(await pool.clientCount() == 2)
        try await sim.killMeta(0)
        #expect(try await slow.get().decodeResult(QueryConfigResponse.self).err == .ok)

        await pool.close()
        try await group.shutdownGracefully()
        await sim.stop()
    }
}
