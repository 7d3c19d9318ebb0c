import AdminHTTP
import NIOCore
import PegasusWire
import RouteModel
import Router

extension ProxyConfiguration {
    /// The client-facing settings of this configuration.
    public var proxySettings: ProxySettings {
        ProxySettings(
            maxFrameBytes: server.maxFrameBytes,
            maxConnections: server.maxConnections,
            idleTimeout: server.idleTimeout == .zero ? .hours(24 * 365) : TimeAmount(server.idleTimeout),
            defaultQueryTimeout: max(TimeAmount(meta.timeout), .milliseconds(5000)),
            maxUnwrittenReplyBytes: server.maxUnwrittenReplyBytes,
            maxBufferedRequestBytes: server.maxBufferedRequestBytes,
            frameTimeout: TimeAmount(server.frameTimeout)
        )
    }

    /// The MetaServer-client settings of this configuration.
    public var upstreamSettings: UpstreamSettings {
        UpstreamSettings(
            attemptTimeout: TimeAmount(meta.timeout),
            maxForwardHops: meta.maxForwardHops,
            coalesce: meta.coalesce,
            coalesceWindow: TimeAmount(meta.coalesceWindow),
            maxQueuedBytes: meta.maxQueuedBytes,
            maxConsecutiveTimeouts: meta.maxConsecutiveTimeouts,
            keepaliveIdle: TimeAmount(meta.keepaliveIdle),
            keepaliveInterval: TimeAmount(meta.keepaliveInterval),
            keepaliveCount: meta.keepaliveCount
        )
    }
}

extension ProxyConfiguration {
    /// The admin listener's limits of this configuration.
    public var adminLimits: AdminServerLimits {
        AdminServerLimits(
            maxConnections: server.adminMaxConnections,
            headerTimeout: TimeAmount(server.adminHeaderTimeout),
            idleTimeout: TimeAmount(server.adminIdleTimeout),
            maxHeadBytes: server.adminMaxHeadBytes
        )
    }
}

extension TimeAmount {
    /// The same span as a `Duration`, to nanosecond precision.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
