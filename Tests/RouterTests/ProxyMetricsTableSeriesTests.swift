import Metrics
import PegasusSim
import PegasusWire
import RouteModel
import TestSupport
import Testing

@testable import Router

/// Client-chosen table names must not become metric series: only routed tables get a
/// `table` label of their own, and at most `maxTableSeries` of them.
@Suite("ProxyMetrics table series", .serialized, .timeLimit(.minutes(3)))
struct ProxyMetricsTableSeriesTests {
    static let query = "client_query_config_count"
    static let loads = "zk_request_count"

    /// The two series every per-table metric has from the start.
    static let shared: Set<[String]> = [["table=_unknown"], ["table=_other"]]

    @Test("10,000 unknown table names through a proxy add no series: all counted under table=\"_unknown\"")
    func unknownNamesShareOneSeries() async throws {
        let factory = CountingMetricsFactory()
        let metrics = ProxyMetrics(factory: factory)
        let names = 10_000
        try await ProxyHarness.run(routes: FixedRouteStore([]), metrics: metrics) { proxy in
            let client = try await proxy.client()
            for batch in stride(from: 0, to: names, by: 500) {
                try await client.send((batch..<batch + 500).map { ProxyTestClient.query("nosuch\($0)", seqid: Int32($0)) })
            }
            for _ in 0..<names {
                let reply = try #require(await client.nextQueryReply())
                #expect(reply.response?.err == .objectNotFound)
            }
            await client.close()
        }
        #expect(Set(factory.counterSeries(Self.query).map(\.dimensions)) == Self.shared)
        #expect(factory.total(Self.query, [("table", "_unknown")]) == Int64(names))
        #expect(Set(factory.counterSeries(Self.loads).map(\.dimensions)) == Self.shared)
        #expect(factory.total(Self.loads, [("table", "_unknown")]) ?? 0 >= 1)
    }

    @Test("a routed table gets its own series")
    func routedTableHasItsSeries() async throws {
        let cluster = try await SimClusters.start("ms", tables: [("t1", 4)])
        let factory = CountingMetricsFactory()
        let metrics = ProxyMetrics(factory: factory)
        try await ProxyHarness.run(routes: FixedRouteStore([try SimClusters.route("t1", to: cluster)]), metrics: metrics) {
            proxy in
            let client = try await proxy.client()
            try await client.send([ProxyTestClient.query("t1", seqid: 1), ProxyTestClient.query("t1", seqid: 2)])
            for _ in 0..<2 { #expect(try #require(await client.nextQueryReply()).response?.err == .ok) }
            await client.close()
        }
        await cluster.stop()
        #expect(factory.total(Self.query, [("table", "t1")]) == 2)
        #expect(factory.total(Self.query, [("table", "_unknown")]) ?? 0 == 0)
    }

    @Test("beyond max_table_series, tables share table=\"_other\" and the overflow is counted")
    func capIsEnforced() {
        let factory = CountingMetricsFactory()
        let metrics = ProxyMetrics(maxTableSeries: 3, factory: factory)
        for index in 0..<10 { metrics.queryConfigCounter(table: "t\(index)").increment() }
        for index in 0..<3 { metrics.queryConfigCounter(table: "t\(index)").increment() }
        let series = Set(factory.counterSeries(Self.query).map(\.dimensions))
        #expect(series == Self.shared.union([["table=t0"], ["table=t1"], ["table=t2"]]))
        #expect(factory.total(Self.query, [("table", "_other")]) == 7)
        #expect(factory.total(Self.query, [("table", "t0")]) == 2)
        #expect((factory.total("metaproxy_table_series_overflow_total", [("metric", Self.query)]) ?? 0) >= 1)
    }
}
