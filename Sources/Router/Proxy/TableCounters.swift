import Metrics
import Synchronization

/// One series of a per-table counter: a count many connections increment without a lock.
public final class TableCount: Sendable {
    private let count = Atomic<Int>(0)

    init() {}

    /// Adds one.
    public func increment() { count.add(1, ordering: .relaxed) }

    /// The count now.
    public var value: Int { count.load(ordering: .relaxed) }
}

/// The series of one per-table counter as they are now, for `/metrics` (``ProxyMetrics/tableSeries()``).
public struct TableSeries: Sendable, Equatable {
    /// The metric's name (`client_query_config_count`, `zk_request_count`).
    public var metric: String
    /// The `table` label values and their counts: `_unknown` and `_other` first, then the tables
    /// with a series of their own sorted by name.
    public var series: [(table: String, value: Int)]

    public static func == (lhs: TableSeries, rhs: TableSeries) -> Bool {
        lhs.metric == rhs.metric && lhs.series.elementsEqual(rhs.series) { $0.table == $1.table && $0.value == $1.value }
    }
}

/// The counters of one metric labelled by `table`, with a bounded number of series.
///
/// Table names come from clients, so they must not become series on their own: a table gets a
/// series of its own only once it is known to have a route (the caller says so by calling
/// ``counter(routedTable:)``), and at most `maxSeries` tables do; later tables share
/// `table="_other"` (each time one is refused a series, `metaproxy_table_series_overflow_total{metric}`
/// counts it). Names without a route share `table="_unknown"` (``unknown``).
///
/// The counts are kept here, not in the metrics backend, and rendered by the application next to
/// the backend's text (``ProxyMetrics/tableSeries()``): a Prometheus registry copies a metric's
/// whole family, under a lock every event loop waits on, to add one series, which made the cost of
/// a table's first query grow with the number of tables seen. Here a new series costs one
/// dictionary insertion in one of ``shardCount`` shards, and a count is an atomic add.
final class TableCounters: Sendable {
    /// The `table` value of names without a route.
    static let unknownTable = "_unknown"
    /// The `table` value of routed tables beyond the bound.
    static let otherTables = "_other"
    /// How many locks the tables are spread over (by hash), so event loops rarely wait on each other.
    static let shardCount = 16

    /// `table="_unknown"`: queries of names without a route.
    let unknown = TableCount()
    /// `table="_other"`: routed tables beyond `maxSeries`.
    let other = TableCount()
    /// The metric's name.
    let label: String
    private let overflow: Counter
    private let maxSeries: Int
    private let shards: [Shard]
    /// Tables with a series of their own, all shards together (never above `maxSeries`).
    private let series = Atomic<Int>(0)

    /// - Parameters:
    ///   - label: The metric's name.
    ///   - maxSeries: How many tables get a series of their own at most (`metrics.max_table_series`).
    ///   - factory: The metrics backend of `metaproxy_table_series_overflow_total`.
    init(label: String, maxSeries: Int, factory: any MetricsFactory) {
        self.label = label
        self.maxSeries = max(0, maxSeries)
        shards = (0..<Self.shardCount).map { _ in Shard() }
        overflow = Counter(label: "metaproxy_table_series_overflow_total", dimensions: [("metric", label)], factory: factory)
    }

    /// The counter of `table`, which has a route: its own series (made on first use) while there
    /// are fewer than `maxSeries`, else `_other`.
    func counter(routedTable table: String) -> TableCount {
        let shard = shards[Self.shard(of: table)]
        let found = shard.tables.withLock { tables -> TableCount? in
            if let existing = tables[table] { return existing }
            // Reserve a slot first: the bound holds however many shards add a table at once.
            guard series.add(1, ordering: .relaxed).newValue <= maxSeries else {
                series.subtract(1, ordering: .relaxed)
                return nil
            }
            let made = TableCount()
            tables[table] = made
            return made
        }
        if let found { return found }
        overflow.increment()
        return other
    }

    /// How many tables have a series of their own.
    var seriesCount: Int { series.load(ordering: .relaxed) }

    /// Every series and its count now: `_unknown`, `_other`, then the tables sorted by name.
    func snapshot() -> TableSeries {
        var tables: [(table: String, value: Int)] = []
        tables.reserveCapacity(seriesCount)
        for shard in shards {
            shard.tables.withLock { counts in
                for (table, count) in counts { tables.append((table, count.value)) }
            }
        }
        tables.sort { $0.table < $1.table }
        return TableSeries(
            metric: label, series: [(Self.unknownTable, unknown.value), (Self.otherTables, other.value)] + tables)
    }

    /// Some of the tables, under a lock of their own.
    private final class Shard: Sendable {
        let tables = Mutex<[String: TableCount]>([:])
    }

    private static func shard(of table: String) -> Int {
        var hasher = Hasher()
        hasher.combine(table)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(shardCount))
    }
}
