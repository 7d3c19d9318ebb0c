import Foundation
import Metrics
import Prometheus
import Testing

@testable import MetaProxyApp

/// The metric help catalog against docs/metrics.md, and the factory that puts it into `# HELP` lines.
@Suite("Metric catalog")
struct MetricCatalogTests {
    /// `{name: type}` of the rows of docs/metrics.md whose first cell is a metric name in backquotes and
    /// whose second is its type (the same rule as integration/e2e/test_observability.py).
    static func documented() throws -> [String: String] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: repository.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        var rows: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count > 3, cells[1].hasPrefix("`"), cells[1].hasSuffix("`"),
                ["counter", "gauge", "histogram"].contains(cells[2])
            else { continue }
            rows[String(cells[1].dropFirst().dropLast())] = cells[2]
        }
        return rows
    }

    @Test("every catalogued metric is documented and every documented one has help text")
    func catalogMatchesTheDoc() throws {
        let documented = try Self.documented()
        #expect(documented.count > 20)
        #expect(Set(MetricCatalog.help.keys).subtracting(documented.keys).sorted() == [])
        #expect(Set(documented.keys).subtracting(MetricCatalog.help.keys).sorted() == [])
        for (name, help) in MetricCatalog.help {
            #expect(!help.isEmpty && !help.contains("\n"), "help of \(name)")
        }
    }

    @Test("the factory writes # HELP lines and sub-millisecond buckets")
    func factoryWritesHelp() {
        let registry = PrometheusCollectorRegistry()
        let factory = HelpfulPrometheusFactory(registry: registry)
        Metrics.Counter(label: "metaproxy_replies_total", dimensions: [("result", "relayed")], factory: factory).increment()
        Metrics.Timer(label: "metaproxy_request_duration_seconds", dimensions: [], factory: factory)
            .record(duration: .microseconds(120))
        Metrics.Gauge(label: "not_in_the_catalog", dimensions: [], factory: factory).record(1)
        let text = factory.emitToString()
        #expect(text.contains("# HELP metaproxy_replies_total Replies to clients by result.\n"))
        #expect(text.contains("# TYPE metaproxy_replies_total counter\n"))
        #expect(text.contains("# HELP metaproxy_request_duration_seconds Time from a client request to its reply.\n"))
        #expect(text.contains(#"metaproxy_request_duration_seconds_bucket{le="0.00005"} 0"#))
        #expect(text.contains(#"metaproxy_request_duration_seconds_bucket{le="0.00025"} 1"#))
        #expect(!text.contains("# HELP not_in_the_catalog"))
    }

    @Test("latency buckets run from 50 µs to 5 s, ascending")
    func buckets() {
        let buckets = MetricCatalog.durationBuckets
        #expect(buckets.first == .microseconds(50) && buckets.last == .seconds(5))
        #expect(buckets == buckets.sorted())
    }
}
