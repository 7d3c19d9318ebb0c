import Metrics
import Prometheus
import Testing

@testable import MetaProxyApp

/// The lock-free latency histogram writes the lines swift-prometheus's histogram writes for the
/// same observations.
@Suite struct LockFreeDurationHistogramTests {
    static let observations: [Duration] = [
        .nanoseconds(0), .microseconds(49), .microseconds(50), .microseconds(51), .microseconds(120), .milliseconds(1),
        .microseconds(2500), .milliseconds(7), .seconds(5), .seconds(6), .seconds(100), .nanoseconds(-3),
    ]

    @Test(arguments: [[], [("cluster", "c1"), ("az", "a\"b")]] as [[(String, String)]])
    func rendersLikeTheRegistry(labels: [(String, String)]) {
        let registry = PrometheusCollectorRegistry()
        let reference = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "x_seconds", unitName: "", helpText: "Help."), labels: labels,
            buckets: MetricCatalog.durationBuckets)
        let histograms = DurationHistograms()
        let histogram = LockFreeDurationHistogram(name: "x_seconds", labels: labels, buckets: MetricCatalog.durationBuckets)
        histograms.register(histogram)
        for value in Self.observations {
            reference.record(value)
            let (seconds, attoseconds) = value.components
            histogram.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        var text = ""
        histograms.emit(into: &text, help: ["x_seconds": "Help."])
        #expect(text == registry.emitToString())
    }

    @Test func unregisteredHistogramIsNotRendered() {
        let histograms = DurationHistograms()
        let histogram = LockFreeDurationHistogram(name: "y_seconds", labels: [], buckets: [.seconds(1)])
        histograms.register(histogram)
        histogram.recordNanoseconds(5)
        var text = ""
        histograms.emit(into: &text, help: [:])
        #expect(text.contains("y_seconds_count 1\n"))
        histograms.unregister(histogram)
        text = ""
        histograms.emit(into: &text, help: [:])
        #expect(text.isEmpty)
    }

    @Test func concurrentRecordsAreAllCounted() async {
        let histogram = LockFreeDurationHistogram(name: "z_seconds", labels: [], buckets: MetricCatalog.durationBuckets)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask { for index in 0..<10_000 { histogram.recordNanoseconds(Int64(index * 1000 + task)) } }
            }
        }
        var text = ""
        histogram.emit(into: &text)
        #expect(text.contains("z_seconds_count 40000\n"))
        #expect(text.contains("z_seconds_bucket{le=\"+Inf\"} 40000\n"))
    }
}
