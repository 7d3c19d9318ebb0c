import NIOCore
import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// `meta.coalesce_window`: a successful upstream reply also answers identical client queries of the
/// same event loop that arrive after it, within the window. The windows used here are far longer
/// (60 s) or zero, so no outcome depends on how fast the machine is. Clusters and routes are
/// those of ``ProxyConnectionTests/withClusters(settings:upstream:_:)``: `t1` on A, `t2` on B.
@Suite("Reply reuse within meta.coalesce_window (in-process proxy, simulated clusters)", .serialized, .timeLimit(.minutes(2)))
struct ReplyReuseTests {
    static let long = UpstreamSettings(coalesceWindow: .seconds(60))

    /// Sends one query for `table` on `client` and returns the reply, after checking its seqid.
    static func ask(_ client: ProxyTestClient, _ table: String, seqid: Int32) async throws -> QueryConfigResponse? {
        try await client.send([ProxyTestClient.query(table, seqid: seqid)])
        let reply = try #require(await client.nextQueryReply())
        #expect(reply.frame.message.seqid == seqid)
        #expect(reply.frame.errorName == "ERR_OK")
        return reply.response
    }

    /// Sends `times` queries for `table`, each after the previous reply, and expects each to reach
    /// `cluster`'s MetaServers (its query counter grows every time).
    static func askEachUpstream(
        _ client: ProxyTestClient, _ table: String, times: Int32, cluster: SimCluster
    ) async throws -> [QueryConfigResponse?] {
        var replies: [QueryConfigResponse?] = []
        var seen = SimClusters.queryCount(cluster)
        for seqid in 1...times {
            replies.append(try await ask(client, table, seqid: seqid))
            #expect(SimClusters.queryCount(cluster) > seen)
            seen = SimClusters.queryCount(cluster)
        }
        return replies
    }

    @Test("a query after an identical one's reply, within the window, is answered under its own seqid with no upstream call")
    func reusedWithinWindow() async throws {
        try await ProxyConnectionTests.withClusters(upstream: Self.long) { a, _, _, proxy in
            let client = try await proxy.client()
            let first = try await Self.ask(client, "t1", seqid: 1)
            let upstream = SimClusters.queryCount(a)
            let second = try await Self.ask(client, "t1", seqid: 2)
            #expect(first?.appId == ProxyConnectionTests.appId(a, "t1"))
            #expect(second == first)
            #expect(upstream >= 1)
            #expect(SimClusters.queryCount(a) == upstream)
            #expect(proxy.metrics.sentUpstreamCount == 1)
            #expect(proxy.metrics.reusedCount == 1)
            await client.close()
        }
    }

    @Test("window 0, or coalescing off: every query after a reply makes a new upstream call", arguments: [
        UpstreamSettings(coalesceWindow: .zero), UpstreamSettings(coalesce: false, coalesceWindow: .seconds(60)),
    ])
    func disabled(upstream: UpstreamSettings) async throws {
        try await ProxyConnectionTests.withClusters(upstream: upstream) { a, _, _, proxy in
            let client = try await proxy.client()
            let replies = try await Self.askEachUpstream(client, "t1", times: 3, cluster: a)
            #expect(replies.map { $0?.appId } == Array(repeating: ProxyConnectionTests.appId(a, "t1"), count: 3))
            #expect(proxy.metrics.sentUpstreamCount == 3)
            #expect(proxy.metrics.reusedCount == 0)
            await client.close()
        }
    }

    @Test("after the route moves to another cluster, the old cluster's reply is not reused")
    func notReusedAcrossClusters() async throws {
        try await ProxyConnectionTests.withClusters(upstream: Self.long) { a, b, routes, proxy in
            let client = try await proxy.client()
            #expect(try await Self.ask(client, "t1", seqid: 1)?.appId == ProxyConnectionTests.appId(a, "t1"))
            routes.set(try SimClusters.route("t1", to: b))
            let upstream = SimClusters.queryCount(b)
            // B has no table t1: its answer, not A's reply of a moment ago.
            #expect(try await Self.ask(client, "t1", seqid: 2)?.err == .objectNotFound)
            #expect(SimClusters.queryCount(b) > upstream)
            #expect(proxy.metrics.sentUpstreamCount == 2)
            #expect(proxy.metrics.reusedCount == 0)
            await client.close()
        }
    }

    @Test("an error reply (ERR_OBJECT_NOT_FOUND) is relayed but never reused")
    func errorNotReused() async throws {
        try await ProxyConnectionTests.withClusters(upstream: Self.long) { a, _, routes, proxy in
            routes.set(try SimClusters.route("missing", to: a))
            let client = try await proxy.client()
            let replies = try await Self.askEachUpstream(client, "missing", times: 2, cluster: a)
            #expect(replies.map { $0?.err } == [.objectNotFound, .objectNotFound])
            #expect(proxy.metrics.sentUpstreamCount == 2)
            #expect(proxy.metrics.reusedCount == 0)
            await client.close()
        }
    }
}
