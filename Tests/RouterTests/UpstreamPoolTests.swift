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
        let pool = UpstreamPool(
            group: group, settings: UpstreamSettings(idleClientTimeout: .milliseconds(200)), logger: ProxyHarness.quiet)
        let metas = try sim.metaAddresses.map { try Endpoint(parsing: $0) }
        // The same cluster name with its MetaServer list changed, as a route update would give.
        let versions = [metas, Array(metas.reversed()), [metas[0], metas[2]], [metas[1], metas[0]]]
            .map { ClusterRoute(name: "simA", metas: $0) }

        for version in versions {
            let reply = try await pool.query(
                cluster: version, name: RpcName.queryConfig, args: Self.queryArgs("t1"), timeout: .seconds(10))
            #expect(try reply.decodeResult(QueryConfigResponse.self).err == .ok)
            try await Task.sleep(for: .milliseconds(300))
        }
        // Each query found the previous cluster idle for longer than 200 ms and dropped it.
        #expect(await pool.clientCount() == 1)

        // A cluster with a query in flight is kept, however long the query takes.
        try sim.setLatency(.seconds(1))
        async let slow = pool.query(
            cluster: versions[0], name: RpcName.queryConfig, args: Self.queryArgs("t1"), timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(300))
        try sim.setLatency(.zero)
        _ = try await pool.query(
            cluster: versions[1], name: RpcName.queryConfig, args: Self.queryArgs("t1"), timeout: .seconds(10))
        #expect(await pool.clientCount() == 2)
        #expect(try await slow.decodeResult(QueryConfigResponse.self).err == .ok)

        await pool.close()
        try await group.shutdownGracefully()
        await sim.stop()
    }
}
