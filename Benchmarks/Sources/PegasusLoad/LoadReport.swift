import Foundation
import Histogram

/// The result of one load run, printed as text and written as JSON (snake_case keys).
struct LoadReport: Codable, Sendable {
    /// Latency of the measured replies, in microseconds.
    struct Latency: Codable, Sendable {
        var p50: UInt64
        var p90: UInt64
        var p99: UInt64
        var p999: UInt64
        var max: UInt64
        var mean: Double
        /// `[percentile, microseconds]` pairs for charts.
        var percentiles: [[Double]]

        init(_ histogram: Histogram<UInt64>) {
            p50 = histogram.valueAtPercentile(50)
            p90 = histogram.valueAtPercentile(90)
            p99 = histogram.valueAtPercentile(99)
            p999 = histogram.valueAtPercentile(99.9)
            max = histogram.max
            mean = histogram.totalCount == 0 ? 0 : histogram.mean
            percentiles = [50, 75, 90, 95, 99, 99.9, 99.99].map { [$0, Double(histogram.valueAtPercentile($0))] }
        }
    }

    var mode: String
    var label: String
    var target: String
    var connections: Int
    var depth: Int
    var tables: Int
    /// Length of the measured window, in seconds.
    var seconds: Double
    /// Correct replies per second in the measured window.
    var throughput: Double
    var latencyUs: Latency
    var counters: LoadCounters
    /// Requests still unanswered when the run gave up waiting.
    var unanswered: Int
    var errors: Int
    var connectFailures: Int
    /// Scale mode: idle connections held, and how many were still open at the end.
    var idleConnections: Int?
    var idleOpenAtEnd: Int?

    init(
        mode: String, label: String, target: String, connections: Int, depth: Int, tables: Int, seconds: Double,
        snapshot: LoopSnapshot, unanswered: Int, connectFailures: Int
    ) {
        self.mode = mode
        self.label = label
        self.target = target
        self.connections = connections
        self.depth = depth
        self.tables = tables
        self.seconds = seconds
        self.throughput = seconds > 0 ? Double(snapshot.counters.measured) / seconds : 0
        self.latencyUs = Latency(snapshot.latency)
        self.counters = snapshot.counters
        self.unanswered = unanswered
        self.errors = snapshot.counters.errors + unanswered + connectFailures
        self.connectFailures = connectFailures
    }

    /// One line for people.
    var summary: String {
        let rate = String(format: "%.0f", throughput)
        return "\(label) [\(mode)] \(connections)x\(depth): \(rate) req/s, p50 \(latencyUs.p50) us, "
            + "p99 \(latencyUs.p99) us, p99.9 \(latencyUs.p999) us, max \(latencyUs.max) us, "
            + "replies \(counters.replies), errors \(errors)"
    }

    /// Writes the JSON report to `path`.
    /// - Throws: ``LoadError`` when the file cannot be written.
    func write(to path: String) throws(LoadError) {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(.reportFailed, subject: path, detail: "\(error)")
        }
    }
}
