import Metrics
import Prometheus
import Testing

@testable import MetaProxyApp
@testable import Router

/// The per-table counters are rendered by the proxy, not by the Prometheus registry: their text
/// must be the registry's, line for line, with the same HELP and TYPE lines and `metric.tags`.
@Suite("Table series text")
struct TableSeriesTextTests {
    static let tags = [("az", "z1"), ("env", "p\"r\\od")]
    static let counts: [(table: String, value: Int)] = [("_unknown", 3), ("_other", 0), ("a.b-c", 7), ("orders", 1)]

    /// `metric`'s lines in `text`: its HELP and TYPE lines, then its series lines sorted.
    static func lines(of metric: String, in text: String) -> (head: [String], series: [String]) {
        let all = text.split(separator: "\n").map(String.init)
        let head = all.filter { $0 == "# TYPE \(metric) counter" || $0.hasPrefix("# HELP \(metric) ") }
        let series = all.filter { $0.hasPrefix("\(metric){") }.sorted()
        return (head, series)
    }

    @Test("the same lines as the Prometheus registry writes for the same counters, tags included")
    func sameAsRegistry() {
        let registry = PrometheusCollectorRegistry()
        let factory = TaggingMetricsFactory(base: HelpfulPrometheusFactory(registry: registry), tags: Self.tags)
        for metric in ["client_query_config_count", "zk_request_count"] {
            for (table, value) in Self.counts {
                Counter(label: metric, dimensions: [("table", table)], factory: factory).increment(by: Int64(value))
            }
        }
        let registryText = registry.emitToString()
        var ours = ""
        TableSeriesText.render(
            [TableSeries(metric: "client_query_config_count", series: Self.counts),
             TableSeries(metric: "zk_request_count", series: Self.counts)],
            tags: Self.tags, into: &ours)
        for metric in ["client_query_config_count", "zk_request_count"] {
            let expected = Self.lines(of: metric, in: registryText)
            let rendered = Self.lines(of: metric, in: ours)
            #expect(expected.series.count == Self.counts.count)
            #expect(rendered.series == expected.series)
            #expect(Set(rendered.head) == Set(expected.head))
            #expect(rendered.head.count == 2)
        }
        // Each family once, HELP before TYPE before its series.
        let lines = ours.split(separator: "\n").map(String.init)
        #expect(lines.first == "# HELP client_query_config_count \(MetricCatalog.help["client_query_config_count"] ?? "")")
        #expect(lines[1] == "# TYPE client_query_config_count counter")
        #expect(lines[2] == #"client_query_config_count{az="z1",env="p\"r\\od",table="_unknown"} 3"#)
        #expect(ours.hasSuffix("\n"))
    }

    @Test("a proxy's counters render with their counts, bounded by max_table_series")
    func fromProxyMetrics() {
        let metrics = ProxyMetrics(maxTableSeries: 2, factory: HelpfulPrometheusFactory(registry: PrometheusCollectorRegistry()))
        for table in ["t1", "t2", "t3", "t1"] { metrics.queryConfigCounter(table: table).increment() }
        metrics.unroutedQuery()
        var text = ""
        TableSeriesText.render(metrics.tableSeries(), tags: [], into: &text)
        let query = Self.lines(of: "client_query_config_count", in: text).series
        #expect(query == [
            #"client_query_config_count{table="_other"} 1"#, #"client_query_config_count{table="_unknown"} 1"#,
            #"client_query_config_count{table="t1"} 2"#, #"client_query_config_count{table="t2"} 1"#,
        ])
        #expect(Self.lines(of: "zk_request_count", in: text).series.count == 2)
    }
}
