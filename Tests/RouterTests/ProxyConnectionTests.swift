import Foundation
import NIOCore
import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@testable import Router

@Suite("Proxy connections (in-process proxy, simulated clusters)", .serialized, .timeLimit(.minutes(2)))
struct ProxyConnectionTests {
    /// Runs `body` with clusters A (`t1`: 8 partitions, `big`: 32) and B (`t2`: 4, app ids from 100),
    /// and a static route store routing `t1`, `big` to A and `t2` to B.
    static func withClusters(
        settings: ProxySettings = ProxySettings(),
        upstream: UpstreamSettings = UpstreamSettings(),
        _ body: (SimCluster, SimCluster, FixedRouteStore, ProxyHarness) async throws -> Void
    ) async throws {
        let a = try await SimClusters.start("simA", tables: [("t1", 8), ("big", 32)])
        let b = try await SimClusters.start("simB", tables: [("t2", 4)], appIdBase: 100)
        let routes = FixedRouteStore([
            try SimClusters.route("t1", to: a), try SimClusters.route("big", to: a), try SimClusters.route("t2", to: b),
        ])
        try await SimClusters.stopping([a, b]) {
            try await ProxyHarness.run(routes: routes, settings: settings, upstream: upstream) { proxy in
                try await body(a, b, routes, proxy)
            }
        }
    }

    static func appId(_ cluster: SimCluster, _ table: String) -> Int32? {
        cluster.tables.first { $0.name == table }?.appId
    }

    @Test("v0 and v1 queries are answered with the MetaServer's reply under the client's seqid")
    func v0AndV1() async throws {
        try await Self.withClusters { a, b, _, proxy in
            let client = try await proxy.client()
            try await client.send([
                ProxyTestClient.query("t1", seqid: 11, version: .v0),
                ProxyTestClient.query("t2", seqid: -12, version: .v1, timeoutMs: 5000),
            ])
            var bySeqid: [Int32: (ResponseFrame, QueryConfigResponse?)] = [:]
            for _ in 0..<2 {
                let reply = try #require(await client.nextQueryReply())
                bySeqid[reply.frame.message.seqid] = reply
            }
            let t1 = try #require(bySeqid[11])
            #expect(t1.0.errorName == "ERR_OK")
            #expect(t1.0.message.name == "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK")
            #expect(t1.1 == a.queryConfiguration(table: "t1"))
            #expect(t1.1?.partitions.count == 8)
            let t2 = try #require(bySeqid[-12])
            #expect(t2.1 == b.queryConfiguration(table: "t2"))
            #expect(t2.1?.appId == Self.appId(b, "t2"))
            await client.close()
        }
    }

    @Test("an unknown table is ERR_OBJECT_NOT_FOUND in the reply body")
    func unknownTable() async throws {
        try await Self.withClusters { _, _, _, proxy in
            let client = try await proxy.client()
            try await client.send([ProxyTestClient.query("no_such_table", seqid: 7)])
            let reply = try #require(await client.nextQueryReply())
            #expect(reply.frame.errorName == "ERR_OK")
            #expect(reply.frame.message.seqid == 7)
            #expect(reply.response?.err == .objectNotFound)
            #expect(reply.response?.partitions == [])
            await client.close()
        }
    }

    @Test("an RPC without handler gets ERR_HANDLER_NOT_FOUND and the connection stays usable")
    func unknownRPC() async throws {
        try await Self.withClusters { a, _, _, proxy in
            let client = try await proxy.client()
            let listNodes = RequestFrame.make(
                header: RequestHeader(), name: RpcName.listNodes, seqid: 77, args: ListAppsRequest(status: .available))
            try await client.send([listNodes])
            let reply = try #require(await client.next())
            #expect(reply.errorName == "ERR_HANDLER_NOT_FOUND")
            #expect(reply.message.name == "RPC_CM_LIST_NODES_ACK")
            #expect(reply.message.seqid == 77)
            #expect(reply.body.readableBytes == 0)
            try await client.send([ProxyTestClient.query("t1", seqid: 78)])
            let query = try #require(await client.nextQueryReply())
            #expect(query.frame.message.seqid == 78)
            #expect(query.response?.appId == Self.appId(a, "t1"))
            await client.close()
        }
    }

    @Test(
        "a malformed or oversized frame closes only its connection",
        arguments: [
            Array("GARBAGE-NOT-A-FRAME-GARBAGE-NOT-A-FRAME-GARBAGE-NOT-A-FRAME".utf8),
            // THFT, header version 7.
            [0x54, 0x48, 0x46, 0x54, 0, 0, 0, 7] + [UInt8](repeating: 0, count: 48),
            // THFT v0, hdr_length 48, body_length 4096: over max_frame_bytes (1024).
            [0x54, 0x48, 0x46, 0x54, 0, 0, 0, 0, 0, 0, 0, 48, 0, 0, 0, 0, 0, 0, 0x10, 0] + [UInt8](repeating: 0, count: 28),
        ])
    func badFrameClosesOnlyThatConnection(bytes: [UInt8]) async throws {
        try await Self.withClusters(settings: ProxySettings(maxFrameBytes: 1024)) { a, _, _, proxy in
            let good = try await proxy.client()
            let bad = try await proxy.client()
            try await bad.send(bytes: bytes)
            #expect(await bad.next() == nil)
            #expect(await eventually { proxy.metrics.badFrameCount == 1 })
            try await good.send([ProxyTestClient.query("t1", seqid: 5)])
            let reply = try #require(await good.nextQueryReply())
            #expect(reply.response?.appId == Self.appId(a, "t1"))
            await good.close()
        }
    }

    @Test("a query frame over max_frame_bytes closes the connection")
    func oversizedQueryCloses() async throws {
        try await Self.withClusters(settings: ProxySettings(maxFrameBytes: 1024)) { _, _, _, proxy in
            let client = try await proxy.client()
            try await client.send([ProxyTestClient.query(String(repeating: "x", count: 2000), seqid: 1)])
            #expect(await client.next() == nil)
            #expect(await eventually { proxy.metrics.badFrameCount == 1 })
        }
    }

    /// Runs `body` with the clusters, a one-meta cluster whose MetaServer hangs routed as `slow`
    /// (attempt timeout 60 s, so only the client's deadline or the meta's death ends its queries), and
    /// a connected client.
    static func withHungMeta(
        _ body: (_ a: SimCluster, _ hung: SimCluster, ProxyHarness, ProxyTestClient) async throws -> Void
    ) async throws {
        try await Self.withClusters(upstream: UpstreamSettings(attemptTimeout: .seconds(60))) { a, _, routes, proxy in
            let hung = try await SimClusters.start("hung", tables: [("slow", 2)], appIdBase: 500, metas: 1)
            try hung.hangMeta(0)
            routes.set(try SimClusters.route("slow", to: hung))
            let client = try await proxy.client()
            do {
                try await body(a, hung, proxy, client)
            } catch {
                await client.close()
                await hung.stop()
                throw error
            }
            await client.close()
            await hung.stop()
        }
    }

    /// Kills the hung MetaServer: the query `seqid` waiting on it then fails over to nothing and must
    /// be answered `ERR_TIMEOUT` (envelope, no body).
    static func killHungMetaAndExpectTimeout(_ hung: SimCluster, _ client: ProxyTestClient, seqid: Int32) async throws {
        try await hung.killMeta(0)
        let reply = try #require(await client.next())
        #expect(reply.message.seqid == seqid)
        #expect(reply.errorName == "ERR_TIMEOUT")
        #expect(reply.body.readableBytes == 0)
    }

    @Test("pipelined replies go out as they complete, not in request order")
    func pipeliningOutOfOrder() async throws {
        try await Self.withHungMeta { a, hung, _, client in
            try await client.send([
                ProxyTestClient.query("slow", seqid: 1, version: .v1, timeoutMs: 60_000),
                ProxyTestClient.query("t1", seqid: 2),
            ])
            let first = try #require(await client.nextQueryReply())
            #expect(first.frame.message.seqid == 2)
            #expect(first.response?.appId == Self.appId(a, "t1"))
            try await Self.killHungMetaAndExpectTimeout(hung, client, seqid: 1)
        }
    }

    @Test("a hung MetaServer: the query ends in an ERR_TIMEOUT envelope with an empty body, not a hang")
    func clientTimeoutHonoured() async throws {
        try await Self.withHungMeta { _, _, _, client in
            try await client.send([ProxyTestClient.query("slow", seqid: 3, version: .v1, timeoutMs: 3000)])
            let reply = try #require(await client.next())
            #expect(reply.message.seqid == 3)
            #expect(reply.errorName == "ERR_TIMEOUT")
            #expect(reply.body.readableBytes == 0)
        }
    }

    @Test("a query joining a coalesced call still gets its answer at its own (earlier) deadline")
    func coalescedJoinerKeepsItsDeadline() async throws {
        try await Self.withHungMeta { _, hung, proxy, client in
            try await client.send([
                ProxyTestClient.query("slow", seqid: 1, version: .v1, timeoutMs: 60_000),
                ProxyTestClient.query("slow", seqid: 2, version: .v1, timeoutMs: 1500),
            ])
            let first = try #require(await client.next())
            #expect(first.message.seqid == 2)
            #expect(first.errorName == "ERR_TIMEOUT")
            #expect(proxy.metrics.coalescedCount == 1)
            #expect(proxy.metrics.sentUpstreamCount == 1)
            try await Self.killHungMetaAndExpectTimeout(hung, client, seqid: 1)
        }
    }

    @Test("1,000 concurrent cold queries for one table: one ZooKeeper read, at most one upstream call per event loop")
    func coalescingColdBurst() async throws {
        let a = try await SimClusters.start("simA", tables: [("hot", 8)])
        defer { Task { await a.stop() } }
        try await TestZooKeeper.withRoot { client, root in
            try await client.put(root + "/hot", rfcRoute("simA", a.metaAddresses))
            let store = ZooKeeperRouteStore(client: client, root: root, logger: ProxyHarness.quiet)
            try a.setLatency(.seconds(2))
            a.resetStats()
            try await ProxyHarness.run(routes: store) { proxy in
                let hotAppId = Self.appId(a, "hot")
                let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            let client = try await proxy.client()
                            let frames = (0..<50).map { ProxyTestClient.query("hot", seqid: Int32(index * 100 + $0)) }
                            try await client.send(frames)
                            var ok = 0
                            for _ in 0..<50 {
                                if let reply = await client.nextQueryReply(), reply.response?.appId == hotAppId { ok += 1 }
                            }
                            await client.close()
                            return ok
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(answered == 1000)
                #expect(SimClusters.queryCount(a) <= 2)
                #expect(proxy.metrics.sentUpstreamCount <= 2)
                #expect(proxy.metrics.coalescedCount >= 998)
                #expect(store.zooKeeperRequests == 1)
            }
        }
    }

    @Test("beyond max_connections a connection is refused and counted")
    func maxConnections() async throws {
        try await Self.withClusters(settings: ProxySettings(maxConnections: 2)) { a, _, _, proxy in
            var open: [ProxyTestClient] = []
            for seqid in Int32(1)...2 {
                let client = try await proxy.client()
                try await client.send([ProxyTestClient.query("t1", seqid: seqid)])
                #expect(try #require(await client.nextQueryReply()).response?.appId == Self.appId(a, "t1"))
                open.append(client)
            }
            let refused = try await proxy.client()
            #expect(await refused.next() == nil)
            #expect(proxy.metrics.rejectedConnectionCount == 1)

            await open[0].close()
            #expect(await eventually { proxy.server.openConnections == 1 })
            let later = try await proxy.client()
            try await later.send([ProxyTestClient.query("t1", seqid: 3)])
            #expect(try #require(await later.nextQueryReply()).frame.message.seqid == 3)
            await later.close()
            await open[1].close()
        }
    }

    @Test("an idle connection is closed after idle_timeout")
    func idleTimeout() async throws {
        try await Self.withClusters(settings: ProxySettings(idleTimeout: .milliseconds(300))) { _, _, _, proxy in
            let client = try await proxy.client()
            #expect(await client.next() == nil)
            #expect(await eventually { proxy.server.openConnections == 0 })
        }
    }

    @Test("a client that stops reading makes the proxy stop reading from it; reading again gets every reply")
    func slowReaderBackPressure() async throws {
        try await Self.withClusters { a, _, _, proxy in
            let client = try await proxy.client(autoRead: false)
            let total = 20_000
            var buffer = client.channel.allocator.buffer(capacity: total * 80)
            for seqid in 0..<total { ProxyTestClient.query("big", seqid: Int32(seqid)).encode(into: &buffer) }
            // Not awaited: with back-pressure the write cannot complete until the client reads.
            client.channel.writeAndFlush(buffer, promise: nil)

            #expect(await eventually { proxy.metrics.outputFullPauseCount >= 1 })
            let handled = proxy.metrics.sentUpstreamCount + proxy.metrics.coalescedCount + proxy.metrics.reusedCount
            #expect(handled < total, "the proxy kept reading from a client that does not read")

            try await client.startReading()
            var seen = Set<Int32>()
            while seen.count < total, let reply = await client.nextQueryReply() {
                #expect(reply.response?.appId == Self.appId(a, "big"))
                seen.insert(reply.frame.message.seqid)
            }
            #expect(seen.count == total)
            await client.close()
        }
    }

    @Test("a route change closes nothing in flight and sends new queries to the new cluster at once")
    func routeChangeClosesNothingInFlight() async throws {
        try await Self.withClusters { a, b, routes, proxy in
            try a.setLatency(.seconds(2))
            a.resetStats()
            let client = try await proxy.client()
            try await client.send([ProxyTestClient.query("t1", seqid: 1)])
            #expect(await eventually { SimClusters.queryCount(a) >= 1 })

            // t1 moves to B (which serves it under B's app id) while the first query waits on A.
            let moved = try SimClusters.route("t1", to: b)
            routes.set(moved)
            try await client.send([ProxyTestClient.query("t1", seqid: 2)])
            let first = try #require(await client.nextQueryReply())
            #expect(first.frame.message.seqid == 2)
            #expect(first.response?.err == .objectNotFound)  // B has no table t1: B answered.
            let second = try #require(await client.nextQueryReply())
            #expect(second.frame.message.seqid == 1)
            #expect(second.response?.appId == Self.appId(a, "t1"))
            await client.close()
        }
    }

    @Test("draining on shutdown answers the queries in flight before closing")
    func drainAnswersInFlight() async throws {
        let a = try await SimClusters.start("simA", tables: [("t1", 4)])
        try a.setLatency(.seconds(1))
        let routes = FixedRouteStore([try SimClusters.route("t1", to: a)])
        var client: ProxyTestClient?
        try await ProxyHarness.run(routes: routes) { proxy in
            let connected = try await proxy.client()
            try await connected.send((1...5).map { ProxyTestClient.query("t1", seqid: $0) })
            #expect(await eventually { SimClusters.queryCount(a) >= 1 })
            client = connected
        }
        // The harness has shut the proxy down gracefully: every reply came before the connection closed.
        let drained = try #require(client)
        var seqids: [Int32] = []
        while let reply = await drained.nextQueryReply() {
            #expect(reply.response?.appId == Self.appId(a, "t1"))
            seqids.append(reply.frame.message.seqid)
        }
        #expect(seqids.sorted() == [1, 2, 3, 4, 5])
        await a.stop()
    }

    @Test("a connection told to quiesce (ChannelShouldQuiesceEvent) answers its queries in flight, then closes")
    func quiesceEventAnswersInFlightThenCloses() async throws {
        try await Self.withClusters { a, _, _, proxy in
            try a.setLatency(.seconds(1))
            a.resetStats()
            let client = try await proxy.client()
            try await client.send((1...5).map { ProxyTestClient.query("t1", seqid: $0) })
            #expect(await eventually { SimClusters.queryCount(a) >= 1 })
            #expect(proxy.server.quiesceConnections().count == 1)
            var seqids: [Int32] = []
            while let reply = await client.nextQueryReply() {
                #expect(reply.response?.appId == Self.appId(a, "t1"))
                seqids.append(reply.frame.message.seqid)
            }
            #expect(seqids.sorted() == [1, 2, 3, 4, 5])
            #expect(await eventually { proxy.server.openConnections == 0 })
            // Only that connection quiesced: the proxy still serves new ones.
            try a.setLatency(.zero)
            let later = try await proxy.client()
            try await later.send([ProxyTestClient.query("t1", seqid: 6)])
            #expect(try #require(await later.nextQueryReply()).response?.appId == Self.appId(a, "t1"))
            await later.close()
        }
    }

    @Test("while the proxy drains, new connections are refused and the queries in flight are answered")
    func drainRefusesNewConnections() async throws {
        try await Self.withClusters { a, _, _, proxy in
            try a.setLatency(.seconds(1))
            a.resetStats()
            let client = try await proxy.client()
            try await client.send((1...3).map { ProxyTestClient.query("t1", seqid: $0) })
            #expect(await eventually { SimClusters.queryCount(a) >= 1 })
            await proxy.shutDown()
            #expect(
                await eventually {
                    // Connecting fails once the listener is closed (one accepted just before is closed at once).
                    guard let late = try? await proxy.client() else { return true }
                    await late.close()
                    return false
                })
            var seqids: [Int32] = []
            while let reply = await client.nextQueryReply() {
                #expect(reply.response?.appId == Self.appId(a, "t1"))
                seqids.append(reply.frame.message.seqid)
            }
            #expect(seqids.sorted() == [1, 2, 3])
        }
    }
}
