import CoreMetrics
import Prometheus
import Synchronization

/// A latency histogram (swift-metrics `Timer`) recorded without a lock: one relaxed atomic add to
/// the observation's bucket and one to the sum.
///
/// The proxy records two latencies per relayed request (`metaproxy_request_duration_seconds`,
/// `metaproxy_upstream_duration_seconds`). swift-prometheus's histogram takes a lock per
/// observation and compares the value with every bucket bound (16 `Duration` comparisons, each
/// bucket counted cumulatively); here the bucket is found by comparing integer nanoseconds and only
/// that bucket is counted: the cumulative counts are summed when `/metrics` is rendered.
///
/// Rendered by ``DurationHistograms`` in the registry's text format, so a scrape sees the same
/// lines as before (`_bucket{…,le="…"}`, `_sum`, `_count`).
final class LockFreeDurationHistogram: TimerHandler, @unchecked Sendable {
    // @unchecked: `counts` is written only through atomic operations and freed in deinit.

    /// The metric name.
    let name: String
    /// The series' labels, in order.
    let labels: [(String, String)]
    /// Bucket upper bounds in nanoseconds, ascending.
    private let bounds: [Int64]
    /// The bounds as the registry writes them in `le`.
    private let boundTexts: [String]
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    private let counts: UnsafeMutablePointer<Atomic<Int>>
    /// The sum of all observations, in nanoseconds.
    private let sumNanoseconds = Atomic<Int64>(0)

    /// - Parameters:
    ///   - name: The metric name.
    ///   - labels: The series' labels.
    ///   - buckets: Upper bounds, ascending.
    init(name: String, labels: [(String, String)], buckets: [Duration]) {
        self.name = name
        self.labels = labels
        let sorted = buckets.sorted()
        self.bounds = sorted.map { bound in
            let (seconds, attoseconds) = bound.components
            return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        }
        self.boundTexts = sorted.map(\.bucketRepresentation)
        self.counts = .allocate(capacity: sorted.count + 1)
        for index in 0...sorted.count { (counts + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counts.deinitialize(count: bounds.count + 1)
        counts.deallocate()
    }

    func recordNanoseconds(_ duration: Int64) {
        var index = 0
        while index < bounds.count, bounds[index] < duration { index += 1 }
        counts[index].add(1, ordering: .relaxed)
        sumNanoseconds.add(duration, ordering: .relaxed)
    }

    /// Appends the series' lines (no `# HELP`/`# TYPE`; ``DurationHistograms`` writes those once per name).
    func emit(into text: inout String) {
        var labelText = ""
        for (key, value) in labels { labelText += "\(key)=\"\(TableSeriesText.escapedLabelValue(value))\"," }
        var cumulative = 0
        for index in bounds.indices {
            cumulative += counts[index].load(ordering: .relaxed)
            text += "\(name)_bucket{\(labelText)le=\"\(boundTexts[index])\"} \(cumulative)\n"
        }
        cumulative += counts[bounds.count].load(ordering: .relaxed)
        text += "\(name)_bucket{\(labelText)le=\"+Inf\"} \(cumulative)\n"
        let series = labelText.isEmpty ? "" : "{\(labelText.dropLast())}"
        let sum = Duration.nanoseconds(sumNanoseconds.load(ordering: .relaxed)).bucketRepresentation
        text += "\(name)_sum\(series) \(sum)\n"
        text += "\(name)_count\(series) \(cumulative)\n"
    }
}

/// The ``LockFreeDurationHistogram``s a ``HelpfulPrometheusFactory`` made, rendered after the
/// registry's own metrics by `/metrics`.
final class DurationHistograms: Sendable {
    private let histograms = Mutex<[ObjectIdentifier: LockFreeDurationHistogram]>([:])

    /// Creates an empty set.
    init() {}

    /// Adds `histogram`.
    func register(_ histogram: LockFreeDurationHistogram) {
        histograms.withLock { $0[ObjectIdentifier(histogram)] = histogram }
    }

    /// Removes `histogram` (its series disappears from `/metrics`).
    func unregister(_ histogram: LockFreeDurationHistogram) {
        _ = histograms.withLock { $0.removeValue(forKey: ObjectIdentifier(histogram)) }
    }

    /// Appends every histogram, grouped by name (one `# HELP` from `help` and one `# TYPE` line each).
    func emit(into text: inout String, help: [String: String]) {
        let all = histograms.withLock { Array($0.values) }
        let byName = Dictionary(grouping: all, by: \.name)
        for name in byName.keys.sorted() {
            if let line = help[name], !line.isEmpty { text += "# HELP \(name) \(TableSeriesText.escapedHelp(line))\n" }
            text += "# TYPE \(name) histogram\n"
            let series = (byName[name] ?? []).sorted { "\($0.labels)" < "\($1.labels)" }
            for histogram in series { histogram.emit(into: &text) }
        }
    }
}
