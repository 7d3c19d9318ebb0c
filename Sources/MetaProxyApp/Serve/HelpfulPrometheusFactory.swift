import CoreMetrics
import Prometheus

/// A swift-metrics factory over a Prometheus registry that gives each metric its `# HELP` line
/// (``MetricCatalog/help``) and latency histograms sub-millisecond buckets
/// (``MetricCatalog/durationBuckets``). swift-prometheus's own factory registers every metric
/// without help text.
struct HelpfulPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// The latency histograms (swift-metrics `Timer`s): the proxy's own, lock-free
    /// (``LockFreeDurationHistogram``), rendered after the registry's metrics by ``emitToString()``.
    var histograms = DurationHistograms()
    var help: [String: String] = MetricCatalog.help
    var durationBuckets: [Duration] = MetricCatalog.durationBuckets
    /// Buckets of value histograms (swift-metrics `Recorder(aggregate: true)`; none exported today).
    var valueBuckets: [Double] = [0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else {
            return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
        }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: valueBuckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let histogram = LockFreeDurationHistogram(name: label, labels: dimensions, buckets: durationBuckets)
        histograms.register(histogram)
        return histogram
    }

    /// The Prometheus text of every metric made: the registry's, then the latency histograms.
    func emitToString() -> String {
        var text = registry.emitToString()
        histograms.emit(into: &text, help: help)
        return text
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        switch handler {
        case let gauge as Prometheus.Gauge: registry.unregisterGauge(gauge)
        case let histogram as ValueHistogram: registry.unregisterValueHistogram(histogram)
        default: break
        }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? LockFreeDurationHistogram { histograms.unregister(histogram) }
    }
}
