import NIOCore
import PegasusWire
import RouteModel

/// Why a query could not be answered by a cluster's MetaServers.
public struct UpstreamError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// The TCP connection to a MetaServer could not be opened.
        public static let connectFailed = Code("connect failed")
        /// A MetaServer did not answer within the per-attempt timeout.
        public static let timeout = Code("timeout")
        /// The connection to a MetaServer closed with the request outstanding.
        public static let connectionClosed = Code("connection closed")
        /// Every MetaServer of the cluster was tried and none answered.
        public static let allMetasFailed = Code("all metas failed")
        /// The client's deadline passed before any MetaServer answered.
        public static let deadlineExceeded = Code("deadline exceeded")
        /// MetaServers kept forwarding to each other beyond the hop limit, or none knows the leader.
        public static let noLeader = Code("no leader")
        /// A MetaServer sent a reply that cannot be read.
        public static let badReply = Code("bad reply")
        /// The connection to a MetaServer holds `meta.max_queued_bytes` unwritten request bytes
        /// already (the MetaServer stopped reading): the request was not queued.
        public static let queueFull = Code("queue full")
        /// The connection to a MetaServer was closed after `meta.max_consecutive_timeouts` attempt
        /// timeouts in a row with nothing received (a silently dead flow); the next query reconnects.
        public static let stalled = Code("connection stalled")
        /// A MetaServer named a leader outside the cluster's configured MetaServers; the hint was not followed.
        public static let foreignLeaderHint = Code("leader hint outside cluster")
        /// The proxy is shutting down.
        public static let shuttingDown = Code("shutting down")
        public var description: String { raw }
        /// The code as a metric label value: words joined by `_` (`connect_failed`).
        public var metricLabel: String { String(raw.map { $0 == " " ? "_" : $0 }) }
    }

    /// What went wrong.
    public var code: Code
    /// The cluster the query was for.
    public var cluster: String
    /// The MetaServer involved, when one is.
    public var meta: String?
    /// More detail (the last underlying error).
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, cluster: String, meta: String? = nil, detail: String = "") {
        self.code = code
        self.cluster = cluster
        self.meta = meta
        self.detail = detail
    }

    /// `cannot connect to <meta> (cluster <c>): <OS error>` for a failed connect, else
    /// `upstream <code> (cluster <c>, meta <m>): <detail>`; the cluster is left out when empty (CLI queries).
    public var description: String {
        if code == .connectFailed, let meta {
            return "cannot connect to \(meta)\(cluster.isEmpty ? "" : " (cluster \(cluster))")"
                + (detail.isEmpty ? "" : ": \(detail)")
        }
        var s = "upstream \(code)"
        var context: [String] = []
        if !cluster.isEmpty { context.append("cluster \(cluster)") }
        if let meta { context.append("meta \(meta)") }
        if !context.isEmpty { s += " (\(context.joined(separator: ", ")))" }
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }
}
