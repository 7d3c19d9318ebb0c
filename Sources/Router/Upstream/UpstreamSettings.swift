import NIOCore
import PegasusWire
import RouteModel

/// Tuning of the proxy's MetaServer client (config section `meta`).
public struct UpstreamSettings: Sendable, Equatable {
    /// Longest wait for one MetaServer to answer one attempt (`meta.timeout`, default 3000 ms).
    public var attemptTimeout: TimeAmount
    /// Leader hints (`ERR_FORWARD_TO_OTHERS`) followed per query (`meta.max_forward_hops`, default 3).
    public var maxForwardHops: Int
    /// Largest reply frame accepted from a MetaServer.
    public var maxFrameBytes: Int
    /// Whether identical queries in flight share one upstream request (`meta.coalesce`, default on).
    public var coalesce: Bool
    /// How long after an upstream query-config call's successful reply identical client queries
    /// of the same event loop are answered with it instead of a new call (`meta.coalesce_window`,
    /// default 100 ms; zero, or `coalesce` off, disables it).
    public var coalesceWindow: TimeAmount
    /// The most replies each event loop keeps for reuse within `coalesceWindow` (oldest dropped first).
    public var coalesceWindowCapacity: Int
    /// A cluster's client (its connections and leader belief) unused for this long is closed.
    public var idleClientTimeout: TimeAmount
    /// The most request bytes one MetaServer connection may hold unwritten (the socket does not
    /// take them: the MetaServer stops reading) before new requests to it fail at once and try
    /// the next MetaServer (`meta.max_queued_bytes`, default 8 MiB).
    public var maxQueuedBytes: Int
    /// Attempt timeouts in a row on one MetaServer connection, with no byte received in between,
    /// after which the connection is closed and the next query opens a new one
    /// (`meta.max_consecutive_timeouts`, default 2).
    public var maxConsecutiveTimeouts: Int
    /// TCP keepalive of MetaServer connections: idle time before the first probe
    /// (`meta.keepalive_idle`, default 30 s; zero turns keepalive off).
    public var keepaliveIdle: TimeAmount
    /// Time between keepalive probes (`meta.keepalive_interval`, default 10 s).
    public var keepaliveInterval: TimeAmount
    /// Unanswered keepalive probes after which the kernel drops the connection (`meta.keepalive_count`, default 3).
    public var keepaliveCount: Int

    /// Creates settings; the defaults are those of the config file.
    public init(
        attemptTimeout: TimeAmount = .milliseconds(3000),
        maxForwardHops: Int = 3,
        maxFrameBytes: Int = 16 << 20,
        coalesce: Bool = true,
        coalesceWindow: TimeAmount = .milliseconds(100),
        coalesceWindowCapacity: Int = 1024,
        idleClientTimeout: TimeAmount = .seconds(300),
        maxQueuedBytes: Int = 8 << 20,
        maxConsecutiveTimeouts: Int = 2,
        keepaliveIdle: TimeAmount = .seconds(30),
        keepaliveInterval: TimeAmount = .seconds(10),
        keepaliveCount: Int = 3
    ) {
        self.attemptTimeout = attemptTimeout
        self.maxForwardHops = maxForwardHops
        self.maxFrameBytes = maxFrameBytes
        self.coalesce = coalesce
        self.coalesceWindow = coalesceWindow
        self.coalesceWindowCapacity = coalesceWindowCapacity
        self.idleClientTimeout = idleClientTimeout
        self.maxQueuedBytes = max(1, maxQueuedBytes)
        self.maxConsecutiveTimeouts = max(1, maxConsecutiveTimeouts)
        self.keepaliveIdle = keepaliveIdle
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveCount = keepaliveCount
    }
}
