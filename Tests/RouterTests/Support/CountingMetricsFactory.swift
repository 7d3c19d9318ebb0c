import Metrics
import Synchronization

/// A metrics backend that remembers every series made (label and dimensions) and counter totals,
/// for tests of what the proxy exports.
final class CountingMetricsFactory: MetricsFactory, Sendable {
    /// A series: its label and its dimensions.
    struct Series: Hashable, Sendable {
        let label: String
        let dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.map { "\($0.0)=\($0.1)" }
        }
    }

    private let counters = Mutex<[Series: CountingCounter]>([:])
    private let others = Mutex<Set<Series>>([])

    /// The counter series made with `label`.
    func counterSeries(_ label: String) -> [Series] {
        counters.withLock { Array($0.keys.filter { $0.label == label }) }
    }

    /// The total of the counter `label` with `dimensions`, or `nil` if no such series was made.
    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64? {
        counters.withLock { $0[Series(label, dimensions)]?.total }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        counters.withLock { counters in
            let series = Series(label, dimensions)
            if let existing = counters[series] { return existing }
            let created = CountingCounter()
            counters[series] = created
            return created
        }
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        _ = others.withLock { $0.insert(Series(label, dimensions)) }
        return Ignored()
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        _ = others.withLock { $0.insert(Series(label, dimensions)) }
        return Ignored()
    }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    final class CountingCounter: CounterHandler, Sendable {
        private let value = Atomic<Int64>(0)
        var total: Int64 { value.load(ordering: .relaxed) }
        func increment(by amount: Int64) { value.add(amount, ordering: .relaxed) }
        func reset() { value.store(0, ordering: .relaxed) }
    }

    final class Ignored: RecorderHandler, TimerHandler, Sendable {
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}
