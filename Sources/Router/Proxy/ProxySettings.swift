import NIOCore
import PegasusWire
import RouteModel

/// Limits and timeouts of the client-facing side (config sections `server` and `meta`).
public struct ProxySettings: Sendable, Equatable {
    /// Largest request frame a client may send (`server.max_frame_bytes`, default 1 MiB).
    public var maxFrameBytes: Int
    /// Connections beyond this are refused (`server.max_connections`, default 10000).
    public var maxConnections: Int
    /// A connection with no traffic for this long is closed (`server.idle_timeout`, default 600 s).
    public var idleTimeout: TimeAmount
    /// Requests one connection may have in flight before the proxy stops reading from it.
    public var maxInflightPerConnection: Int
    /// Whole-query budget when the client's header carries no timeout (`meta.query_timeout`, default 5000 ms).
    public var defaultQueryTimeout: TimeAmount
    /// Reply bytes written to one connection and not yet taken by its client beyond which the
    /// proxy stops reading it (`server.max_unwritten_reply_bytes`, default 4 MiB); it reads again
    /// once they drain below an eighth of that.
    public var maxUnwrittenReplyBytes: Int
    /// Request bytes read and not yet served, all connections together, beyond which a connection
    /// that holds more is closed (`server.max_buffered_request_bytes`, default 64 MiB).
    public var maxBufferedRequestBytes: Int
    /// A request frame whose first byte arrived must be complete within this, or the connection is
    /// closed (`server.frame_timeout`, default 10 s).
    public var frameTimeout: TimeAmount

    /// Creates settings; the defaults are those of the config file.
    public init(
        maxFrameBytes: Int = 1 << 20,
        maxConnections: Int = 10_000,
        idleTimeout: TimeAmount = .seconds(600),
        maxInflightPerConnection: Int = 1024,
        defaultQueryTimeout: TimeAmount = .milliseconds(5000),
        maxUnwrittenReplyBytes: Int = 4 << 20,
        maxBufferedRequestBytes: Int = 64 << 20,
        frameTimeout: TimeAmount = .seconds(10)
    ) {
        self.maxUnwrittenReplyBytes = maxUnwrittenReplyBytes
        self.maxBufferedRequestBytes = maxBufferedRequestBytes
        self.frameTimeout = frameTimeout
        self.maxFrameBytes = maxFrameBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.maxInflightPerConnection = maxInflightPerConnection
        self.defaultQueryTimeout = defaultQueryTimeout
    }

    /// When a query that arrived now must be answered, given the client's timeout in ms (0 = none).
    ///
    /// The proxy answers a little before the client's own deadline (90 % of it), so the client
    /// gets the proxy's error instead of timing out itself.
    /// The client connections' write buffer water marks: reading stops above
    /// ``maxUnwrittenReplyBytes`` and resumes below an eighth of it.
    var replyWaterMark: ChannelOptions.Types.WriteBufferWaterMark {
        let high = max(maxUnwrittenReplyBytes, 1)
        return .init(low: max(high / 8, 1), high: high)
    }

    func deadline(clientTimeoutMs: Int32, now: NIODeadline = .now()) -> NIODeadline {
        guard clientTimeoutMs > 0 else { return now + defaultQueryTimeout }
        return now + .milliseconds(Int64(clientTimeoutMs) * 9 / 10)
    }
}
