import NIOCore
import PegasusSim
import PegasusWire
import RouteModel
import Testing

@testable import Router

/// The proxy reuses its per-request query objects (``ProxyQuery``, kept per event loop in a
/// ``FreeList``): replies stay right (seqid, table) through many reuses, the pool stays bounded by
/// what was in flight, and a query whose deadline passed is not answered again when its object is
/// reused.
@Suite("Pooled proxy queries (in-process proxy, simulated clusters)", .serialized, .timeLimit(.minutes(2)))
struct ProxyQueryPoolTests {
    @Test("many rounds of pipelined queries over reused query objects: every reply has its seqid and table")
    func repliesStayRightThroughReuse() async throws {
        try await ProxyConnectionTests.withClusters(upstream: UpstreamSettings(coalesce: false)) { a, b, _, proxy in
            let client = try await proxy.client()
            var seqid: Int32 = 0
            for round in 0..<20 {
                var expected: [Int32: String] = [:]
                var frames: [RequestFrame] = []
                for index in 0..<8 {
                    seqid += 1
                    let table = (round + index) % 2 == 0 ? "t1" : "t2"
                    expected[seqid] = table
                    frames.append(ProxyTestClient.query(table, seqid: seqid, version: index % 2 == 0 ? .v0 : .v1, timeoutMs: 5000))
                }
                try await client.send(frames)
                for _ in 0..<frames.count {
                    let reply = try #require(await client.nextQueryReply())
                    let removed = expected.removeValue(forKey: reply.frame.message.seqid)
                    let table = try #require(removed)
                    let cluster = table == "t1" ? a : b
                    #expect(reply.response == cluster.queryConfiguration(table: table))
                }
            }
            // At most the queries that were in flight at once are kept (8 per round), and at
            // least one was (the last round's).
            let pooled = try await proxy.pooledQueries()
            #expect(pooled >= 1)
            #expect(pooled <= 8)
            await client.close()
        }
    }

    @Test("a query that timed out is not answered again when its object serves the next request")
    func timedOutQueryIsNotAnsweredTwice() async throws {
        try await ProxyConnectionTests.withHungMeta { a, hung, proxy, client in
            // Times out (ERR_TIMEOUT) while its attempt is still in flight on the hung MetaServer.
            try await client.send([ProxyTestClient.query("slow", seqid: 1, version: .v1, timeoutMs: 500)])
            let timedOut = try #require(await client.next())
            #expect(timedOut.message.seqid == 1)
            #expect(timedOut.errorName == "ERR_TIMEOUT")
            // The next requests reuse the pooled object; then the hung MetaServer's connection
            // closes (its late outcome must reach nobody).
            try await client.send([ProxyTestClient.query("t1", seqid: 2)])
            let second = try #require(await client.nextQueryReply())
            #expect(second.frame.message.seqid == 2)
            #expect(second.response == a.queryConfiguration(table: "t1"))
            try await hung.killMeta(0)
            try await client.send([ProxyTestClient.query("t1", seqid: 3)])
            let third = try #require(await client.nextQueryReply())
            #expect(third.frame.message.seqid == 3)
            #expect(third.response == a.queryConfiguration(table: "t1"))
            // The query of seqid 1 went upstream once and was answered once.
            #expect(proxy.metrics.sentUpstreamCount >= 2)
        }
    }
}
