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
    static let shared: Set<String> = ["_unknown", "_other"]

    /// The `table` values of `metric`'s series.
    static func tables(_ metrics: ProxyMetrics, _ metric: String) -> Set<String> {
        Set(series(metrics, metric).map(\.table))
    }

    static func series(_ metrics: ProxyMetrics, _ metric: String) -> [(table: String, value: Int)] {
        metrics.tableSeries().first { $0.metric == metric }?.series ?? []
    }

    /// The count of `metric{table}`, or `nil` without such a series.
    static func total(_ metrics: ProxyMetrics, _ metric: String, table: String) -> Int? {
        series(metrics, metric).first { $0.table == table }?.value
    }

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
        #expect(Self.tables(metrics, Self.query) == Self.shared)
        #expect(Self.total(metrics, Self.query, table: "_unknown") == names)
        #expect(Self.tables(metrics, Self.loads) == Self.shared)
        #expect(Self.total(metrics, Self.loads, table: "_unknown") ?? 0 >= 1)
        // Nothing per table reaches the metrics backend.
        #expect(factory.counterSeries(Self.query).isEmpty)
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
        #expect(Self.total(metrics, Self.query, table: "t1") == 2)
        #expect(Self.total(metrics, Self.query, table: "_unknown") == 0)
    }

    @Test("beyond max_table_series, tables share table=\"_other\" and the overflow is counted")
    func capIsEnforced() {
        let factory = CountingMetricsFactory()
        let metrics = ProxyMetrics(maxTableSeries: 3, factory: factory)
        for index in 0..<10 { metrics.queryConfigCounter(table: "t\(index)").increment() }
        for index in 0..<3 { metrics.queryConfigCounter(table: "t\(index)").increment() }
        #expect(Self.tables(metrics, Self.query) == Self.shared.union(["t0", "t1", "t2"]))
        #expect(Self.total(metrics, Self.query, table: "_other") == 7)
        #expect(Self.total(metrics, Self.query, table: "t0") == 2)
        #expect(factory.total("metaproxy_table_series_overflow_total", [("metric", Self.query)]) == 7)
        // The bound is per metric.
        #expect(Self.tables(metrics, Self.loads) == Self.shared)
    }

    @Test("series come out _unknown, _other, then tables by name, with their exact counts")
    func snapshotOrderAndCounts() {
        let metrics = ProxyMetrics(factory: CountingMetricsFactory())
        for (index, table) in ["b", "a", "c"].enumerated() {
            for _ in 0...index { metrics.queryConfigCounter(table: table).increment() }
        }
        metrics.unroutedQuery()
        metrics.routeLoaded(table: "a", routed: true)
        metrics.routeLoaded(table: "nosuch", routed: false)
        let query = Self.series(metrics, Self.query)
        #expect(query.map(\.table) == ["_unknown", "_other", "a", "b", "c"])
        #expect(query.map(\.value) == [1, 0, 2, 1, 3])
        let loads = Self.series(metrics, Self.loads)
        #expect(loads.map(\.table) == ["_unknown", "_other", "a"])
        #expect(loads.map(\.value) == [1, 0, 1])
    }

    @Test("the bound holds when many threads add tables at once")
    func capHoldsUnderConcurrency() async {
        let metrics = ProxyMetrics(maxTableSeries: 500, factory: CountingMetricsFactory())
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<1_000 { metrics.queryConfigCounter(table: "w\(worker)t\(index)").increment() }
                }
            }
        }
        let series = Self.series(metrics, Self.query)
        #expect(series.count == 2 + 500)
        #expect(series.reduce(0) { $0 + $1.value } == 8_000)
        #expect(Self.total(metrics, Self.query, table: "_other") == 8_000 - 500)
    }
}
