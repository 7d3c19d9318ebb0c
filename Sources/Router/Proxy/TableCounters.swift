import Metrics
import Synchronization

/// The counters of one metric labelled by `table`, with a bounded number of series.
///
/// Table names come from clients, so they must not become series on their own: a table gets a
/// series of its own only once it is known to have a route (the caller says so by calling
/// ``counter(routedTable:)``), and at most `maxSeries` tables do; later tables share
/// `table="_other"` (each time one is refused a series, `metaproxy_table_series_overflow_total{metric}`
/// counts it). Names without a route share `table="_unknown"` (``unknown``).
///
/// A series is made outside the lock (a metrics backend may copy its registry to add one), and its
/// slot is reserved first so that the bound holds under concurrent first uses.
final class TableCounters: Sendable {
    /// The `table` value of names without a route.
    static let unknownTable = "_unknown"
    /// The `table` value of routed tables beyond the bound.
    static let otherTables = "_other"

    private struct State {
        var handles: [String: Counter] = [:]
        /// Slots taken by series being made.
        var reserved = 0
    }

    private enum Lookup {
        case found(Counter)
        case full
        case make
    }

    /// `table="_unknown"`: queries of names without a route.
    let unknown: Counter
    /// `table="_other"`: routed tables beyond `maxSeries`.
    let other: Counter
    private let overflow: Counter
    private let label: String
    private let maxSeries: Int
    private let factory: any MetricsFactory
    private let state = Mutex(State())

    /// - Parameters:
    ///   - label: The metric's name.
    ///   - maxSeries: How many tables get a series of their own at most (`metrics.max_table_series`).
    ///   - factory: The metrics backend.
    init(label: String, maxSeries: Int, factory: any MetricsFactory) {
        self.label = label
        self.maxSeries = max(0, maxSeries)
        self.factory = factory
        unknown = Counter(label: label, dimensions: [("table", Self.unknownTable)], factory: factory)
        other = Counter(label: label, dimensions: [("table", Self.otherTables)], factory: factory)
        overflow = Counter(label: "metaproxy_table_series_overflow_total", dimensions: [("metric", label)], factory: factory)
    }

    /// The counter of `table`, which has a route: its own series (made on first use) while there
    /// are fewer than `maxSeries`, else `_other`.
    func counter(routedTable table: String) -> Counter {
        let lookup = state.withLock { state -> Lookup in
            if let existing = state.handles[table] { return .found(existing) }
            guard state.handles.count + state.reserved < maxSeries else { return .full }
            state.reserved += 1
            return .make
        }
        switch lookup {
        case .found(let counter):
            return counter
        case .full:
            overflow.increment()
            return other
        case .make:
            let made = Counter(label: label, dimensions: [("table", table)], factory: factory)
            return state.withLock { state in
                state.reserved -= 1
                if let existing = state.handles[table] { return existing }
                state.handles[table] = made
                return made
            }
        }
    }

    /// How many tables have a series of their own.
    var seriesCount: Int { state.withLock { $0.handles.count } }
}
