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

    /// Creates settings; the defaults are those of the config file.
    public init(
        attemptTimeout: TimeAmount = .milliseconds(3000),
        maxForwardHops: Int = 3,
        maxFrameBytes: Int = 16 << 20,
        coalesce: Bool = true,
        coalesceWindow: TimeAmount = .milliseconds(100),
        coalesceWindowCapacity: Int = 1024,
        idleClientTimeout: TimeAmount = .seconds(300)
    ) {
        self.attemptTimeout = attemptTimeout
        self.maxForwardHops = maxForwardHops
        self.maxFrameBytes = maxFrameBytes
        self.coalesce = coalesce
        self.coalesceWindow = coalesceWindow
        self.coalesceWindowCapacity = coalesceWindowCapacity
        self.idleClientTimeout = idleClientTimeout
    }
}
