import Logging
import PegasusWire
import RouteModel
import Router
import ZooKeeper

extension ProxyConfiguration {
    /// The effective configuration as flat `key path: value` pairs, for logging at startup.
    ///
    /// Secrets are never included: `zookeeper.auth` shows only the scheme.
    public var summary: [String: String] {
        var summary: [String: String] = [
            "server.listen": server.listen.description,
            "server.admin_listen": server.adminListen.description,
            "server.max_connections": "\(server.maxConnections)",
            "server.max_frame_bytes": "\(server.maxFrameBytes)",
            "server.idle_timeout": "\(server.idleTimeout.components.seconds)s",
            "server.threads": "\(server.effectiveThreads)",
            "server.max_unwritten_reply_bytes": "\(server.maxUnwrittenReplyBytes)",
            "server.max_buffered_request_bytes": "\(server.maxBufferedRequestBytes)",
            "server.frame_timeout": "\(server.frameTimeout.components.seconds)s",
            "server.drain_delay": "\(server.drainDelay.components.seconds)s",
            "server.admin_max_connections": "\(server.adminMaxConnections)",
            "server.admin_header_timeout": "\(server.adminHeaderTimeout.components.seconds)s",
            "server.admin_idle_timeout": "\(server.adminIdleTimeout.components.seconds)s",
            "server.admin_max_head_bytes": "\(server.adminMaxHeadBytes)",
            "meta.timeout": "\(Self.milliseconds(meta.timeout))ms",
            "meta.max_forward_hops": "\(meta.maxForwardHops)",
            "meta.coalesce": "\(meta.coalesce)",
            "meta.coalesce_window": "\(Self.milliseconds(meta.coalesceWindow))ms",
            "meta.max_queued_bytes": "\(meta.maxQueuedBytes)",
            "meta.max_consecutive_timeouts": "\(meta.maxConsecutiveTimeouts)",
            "meta.keepalive_idle": "\(meta.keepaliveIdle.components.seconds)s",
            "meta.keepalive_interval": "\(meta.keepaliveInterval.components.seconds)s",
            "meta.keepalive_count": "\(meta.keepaliveCount)",
            "failover.policies_dir": failover.policiesDirectory,
            "failover.history_size": "\(failover.historySize)",
            "failover.state_file": failover.stateFile ?? "(memory only)",
            "failover.peer_roots": failover.peerRoots.isEmpty ? "(none)" : failover.peerRoots.joined(separator: ","),
            "metric.type": metric.kind.rawValue,
            "metric.max_table_series": "\(metric.maxTableSeries)",
            "metric.tags": metric.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: ","
            ),
            "log.level": log.level.rawValue,
            "log.format": log.format.rawValue,
        ]
        if let routeSource {
            summary.merge(routeSource.summary) { _, source in source }
        } else {
            summary["route_source"] = "none"
        }
        if let file { summary["config_file"] = file }
        return summary
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
