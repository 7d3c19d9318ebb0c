import Metrics
import PegasusWire
import RouteModel
import Synchronization

/// The proxy's metrics (swift-metrics; exported by whatever backend the executable bootstraps).
///
/// Names keep the earlier Go meta-proxy's (`client_connection_count`, `client_query_config_count`,
/// `zk_request_count`) and add `metaproxy_*` ones. Handles are made once per label set and cached.
///
/// The `table` label of `client_query_config_count` and `zk_request_count` is bounded (see
/// ``TableCounters``): a table has its own series only if it has a route, and at most
/// `maxTableSeries` tables do; other names are `table="_unknown"`, tables beyond the bound
/// `table="_other"`. Their counts are kept here, not in the metrics backend: the application
/// renders them into `/metrics` from ``tableSeries()``.
public final class ProxyMetrics: UpstreamObserver, Sendable {
    private let connections = Gauge(label: "client_connection_count")
    private let rejectedConnections = Counter(label: "metaproxy_rejected_connections_total")
    private let badFrames = Counter(label: "metaproxy_bad_frames_total")
    private let unknownRPCs = Counter(label: "metaproxy_unknown_rpc_total")
    private let rdsnRequests = Counter(label: "metaproxy_rdsn_requests_total")
    private let latency = Timer(label: "metaproxy_request_duration_seconds")
    private let queryCounters: TableCounters
    private let zkRequests: TableCounters
    /// `metaproxy_replies_total{result}`, one handle per result in `ReplyResult.allCases` order,
    /// made up front (counted per reply, by position: no hashing).
    private let replies: [Counter]
    /// `replies[ReplyResult.relayed.index]`, counted per relayed request without an array access.
    private let relayedReplies: Counter
    private let upstreamErrors = LabeledCounters(label: "metaproxy_upstream_errors_total", dimensions: ["cluster", "meta", "code"])
    private let upstreamLatency = LabeledTimers(label: "metaproxy_upstream_duration_seconds", dimension: "cluster")
    private let forwards = LabeledCounters(label: "metaproxy_upstream_forwards_total", dimension: "cluster")
    private let coalescedRequests = LabeledCounters(label: "metaproxy_coalesced_requests_total", dimension: "cluster")
    private let reusedReplies = LabeledCounters(label: "metaproxy_reused_replies_total", dimension: "cluster")
    private let upstreamRequests = LabeledCounters(label: "metaproxy_upstream_requests_total", dimension: "cluster")
    private let openConnections = Atomic<Int>(0)
    private let tallies = Tallies()

    /// Plain counts of a few events, readable in-process (tests); the exported metrics above are
    /// write-only handles.
    final class Tallies: Sendable {
        let rejectedConnections = Atomic<Int>(0)
        let badFrames = Atomic<Int>(0)
        let readPauses = Atomic<Int>(0)
        let outputFullPauses = Atomic<Int>(0)
        let coalesced = Atomic<Int>(0)
        let reused = Atomic<Int>(0)
        let sentUpstream = Atomic<Int>(0)
    }

    /// Connections refused over `max_connections`.
    var rejectedConnectionCount: Int { tallies.rejectedConnections.load(ordering: .relaxed) }
    /// Connections closed for a malformed frame.
    var badFrameCount: Int { tallies.badFrames.load(ordering: .relaxed) }
    /// Times a connection stopped reading (back-pressure: too much in flight or its output is full).
    var readPauseCount: Int { tallies.readPauses.load(ordering: .relaxed) }
    /// Times a connection stopped reading because its client did not read the replies.
    var outputFullPauseCount: Int { tallies.outputFullPauses.load(ordering: .relaxed) }
    /// Queries that joined an identical upstream call in flight.
    var coalescedCount: Int { tallies.coalesced.load(ordering: .relaxed) }
    /// Queries answered with an identical call's recent reply (`meta.coalesce_window`).
    var reusedCount: Int { tallies.reused.load(ordering: .relaxed) }
    /// Upstream calls started.
    var sentUpstreamCount: Int { tallies.sentUpstream.load(ordering: .relaxed) }

    /// The default of `metrics.max_table_series`.
    public static let defaultMaxTableSeries = 10_000

    /// Creates the metrics handles.
    /// - Parameters:
    ///   - maxTableSeries: How many tables get series of their own in each per-table metric
    ///     (`metric.max_table_series`); later tables share `table="_other"`.
    ///   - factory: The backend of `metaproxy_table_series_overflow_total` (tests pass their own;
    ///     the others use the bootstrapped one).
    public init(maxTableSeries: Int = ProxyMetrics.defaultMaxTableSeries, factory: any MetricsFactory = MetricsSystem.factory) {
        replies = ReplyResult.allCases.map {
            Counter(label: "metaproxy_replies_total", dimensions: [("result", $0.rawValue)])
        }
        relayedReplies = replies[ReplyResult.relayed.index]
        queryCounters = TableCounters(label: "client_query_config_count", maxSeries: maxTableSeries, factory: factory)
        zkRequests = TableCounters(label: "zk_request_count", maxSeries: maxTableSeries, factory: factory)
    }

    /// Client connections open now.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    func connectionOpened() {
        let now = openConnections.add(1, ordering: .relaxed).newValue
        connections.record(now)
    }

    func connectionClosed() {
        let now = openConnections.subtract(1, ordering: .relaxed).newValue
        connections.record(now)
    }

    func connectionRejected() {
        tallies.rejectedConnections.add(1, ordering: .relaxed)
        rejectedConnections.increment()
    }

    func badFrame() {
        tallies.badFrames.add(1, ordering: .relaxed)
        badFrames.increment()
    }

    func readPaused() { tallies.readPauses.add(1, ordering: .relaxed) }
    func readPausedForFullOutput() { tallies.outputFullPauses.add(1, ordering: .relaxed) }
    func unknownRPC() { unknownRPCs.increment() }
    func rdsnRequest() { rdsnRequests.increment() }
    /// The handle of `client_query_config_count{table}` of a table that has a route, for a caller
    /// that caches it (``TableCounters/counter(routedTable:)``).
    func queryConfigCounter(table: String) -> TableCount { queryCounters.counter(routedTable: table) }

    /// The per-table counters (`client_query_config_count`, `zk_request_count`) and their counts
    /// now, for the `/metrics` text: they are not in the metrics backend.
    public func tableSeries() -> [TableSeries] { [queryCounters.snapshot(), zkRequests.snapshot()] }
    /// Counts a query of a name without a route (`client_query_config_count{table="_unknown"}`).
    func unroutedQuery() { queryCounters.unknown.increment() }
    /// Counts a route load for a query of an uncached table (`zk_request_count{table}`): under the
    /// table if it found a route, else under `_unknown`.
    func routeLoaded(table: String, routed: Bool) {
        (routed ? zkRequests.counter(routedTable: table) : zkRequests.unknown).increment()
    }

    /// How a query ended, for `metaproxy_replies_total{result}`.
    enum ReplyResult: String, CaseIterable {
        case relayed, unknownTable = "unknown_table", routeUnavailable = "route_unavailable"
        case upstreamUnavailable = "upstream_unavailable", handlerNotFound = "handler_not_found"

        /// The position in `allCases`.
        var index: Int {
            switch self {
            case .relayed: 0
            case .unknownTable: 1
            case .routeUnavailable: 2
            case .upstreamUnavailable: 3
            case .handlerNotFound: 4
            }
        }
    }

    /// A reply was sent, `nanoseconds` after its request was read.
    func replied(_ result: ReplyResult, nanoseconds: Int64) {
        if result == .relayed {
            relayedReplies.increment()
        } else {
            replies[result.index].increment()
        }
        latency.recordNanoseconds(nanoseconds)
    }

    /// Records a MetaServer's answer time (`metaproxy_upstream_duration_seconds{cluster}`).
    public func upstreamAnswered(cluster: String, meta: String, seconds: Double) {
        upstreamLatency.record(cluster, nanoseconds: Int64(seconds * 1e9))
    }

    /// Counts a failed upstream attempt (`metaproxy_upstream_errors_total{cluster,meta,code}`).
    public func upstreamFailed(cluster: String, meta: String, code: UpstreamError.Code) {
        upstreamErrors.increment([cluster, meta, code.metricLabel])
    }

    /// Counts an `ERR_FORWARD_TO_OTHERS` followed (`metaproxy_upstream_forwards_total{cluster}`).
    public func forwarded(cluster: String, from: String, to: String?) { forwards.increment(cluster) }

    /// Counts a query that joined an identical one in flight (`metaproxy_coalesced_requests_total{cluster}`).
    public func coalesced(cluster: String) {
        tallies.coalesced.add(1, ordering: .relaxed)
        coalescedRequests.increment(cluster)
    }

    /// Counts a query answered with a recent identical reply (`metaproxy_reused_replies_total{cluster}`).
    public func replyReused(cluster: String) {
        tallies.reused.add(1, ordering: .relaxed)
        reusedReplies.increment(cluster)
    }

    /// Counts an upstream call started (`metaproxy_upstream_requests_total{cluster}`).
    public func sentUpstream(cluster: String) {
        tallies.sentUpstream.add(1, ordering: .relaxed)
        upstreamRequests.increment(cluster)
    }

    /// `cluster`'s handles of `metaproxy_upstream_requests_total` and
    /// `metaproxy_upstream_duration_seconds`, looked up once.
    public func cluster(_ cluster: String) -> any ClusterUpstreamObserver {
        ClusterHandles(
            requests: upstreamRequests.counter(cluster), latency: upstreamLatency.timer(cluster), tallies: tallies)
    }

    /// One cluster's upstream metrics, counted per query without a lookup.
    struct ClusterHandles: ClusterUpstreamObserver {
        let requests: Counter
        let latency: Timer
        let tallies: Tallies

        func sentUpstream() {
            tallies.sentUpstream.add(1, ordering: .relaxed)
            requests.increment()
        }

        func upstreamAnswered(meta: String, seconds: Double) {
            latency.recordNanoseconds(Int64(seconds * 1e9))
        }
    }
}

/// Counters of one label, one handle per label-value set, made on first use.
final class LabeledCounters: Sendable {
    private let label: String
    private let dimensions: [String]
    private let handles = Mutex<[[String]: Counter]>([:])
    /// Handles of a one-dimension label by value: counted per query, so no key array is built.
    private let single = Mutex<[String: Counter]>([:])

    convenience init(label: String, dimension: String) { self.init(label: label, dimensions: [dimension]) }

    init(label: String, dimensions: [String]) {
        self.label = label
        self.dimensions = dimensions
    }

    func increment(_ value: String) {
        guard dimensions.count == 1 else { return increment([value]) }
        counter(value).increment()
    }

    /// The handle of a one-dimension label's `value` (made on first use).
    func counter(_ value: String) -> Counter {
        single.withLock { handles in
            if let existing = handles[value] { return existing }
            let created = Counter(label: label, dimensions: [(dimensions.first ?? "", value)])
            handles[value] = created
            return created
        }
    }

    func increment(_ values: [String]) {
        let counter = handles.withLock { handles in
            if let existing = handles[values] { return existing }
            let created = Counter(label: label, dimensions: Array(zip(dimensions, values)))
            handles[values] = created
            return created
        }
        counter.increment()
    }
}

/// Timers of one label, one handle per label value, made on first use.
final class LabeledTimers: Sendable {
    private let label: String
    private let dimension: String
    private let handles = Mutex<[String: Timer]>([:])

    init(label: String, dimension: String) {
        self.label = label
        self.dimension = dimension
    }

    func record(_ value: String, nanoseconds: Int64) {
        timer(value).recordNanoseconds(nanoseconds)
    }

    /// The handle of `value` (made on first use).
    func timer(_ value: String) -> Timer {
        handles.withLock { handles in
            if let existing = handles[value] { return existing }
            let created = Timer(label: label, dimensions: [(dimension, value)])
            handles[value] = created
            return created
        }
    }
}
