/// The `# HELP` text of every metric meta-proxy exports, and its histogram buckets.
///
/// Every metric is documented in docs/metrics.md too; `MetricCatalogTests` checks that the two hold
/// the same names, and the end-to-end metrics test that a running instance exports no metric
/// without a `# HELP` line. A new metric needs a line here and a row there.
public enum MetricCatalog {
    /// Help text by metric name.
    public static let help: [String: String] = [
        // Data path.
        "client_connection_count": "Client connections open (Go meta-proxy name).",
        "client_query_config_count": "Query config requests received, by table (Go meta-proxy name).",
        "zk_request_count": "Route loads from the route source for uncached tables, by table (Go meta-proxy name).",
        "metaproxy_table_series_overflow_total":
            "Times a routed table was refused a series of its own in a metric (metric.max_table_series).",
        "metaproxy_request_duration_seconds": "Time from a client request to its reply.",
        "metaproxy_replies_total": "Replies to clients by result.",
        "metaproxy_rejected_connections_total": "Client connections refused over server.max_connections.",
        "metaproxy_bad_frames_total": "Client connections closed for a malformed frame.",
        "metaproxy_request_buffer_exhausted_total":
            "Client connections closed because buffered request bytes would pass server.max_buffered_request_bytes.",
        "metaproxy_frame_timeouts_total":
            "Client connections closed because a request frame was not complete within server.frame_timeout.",
        "metaproxy_unknown_rpc_total": "Requests for RPCs the proxy does not serve (answered ERR_HANDLER_NOT_FOUND).",
        "metaproxy_rdsn_requests_total": "Requests received on RDSN connections (C++ client, shell).",
        "metaproxy_route_source_degraded":
            "1 while the route source is degraded (ZooKeeper unreachable, cached routes serving), else 0.",
        // Admin port.
        "metaproxy_admin_connections": "Admin HTTP connections open.",
        "metaproxy_admin_rejected_connections_total": "Admin connections refused over server.admin_max_connections.",
        "metaproxy_admin_closed_connections_total": "Admin connections closed by the proxy, by reason.",
        // Upstream.
        "metaproxy_upstream_requests_total": "Queries sent to a cluster's MetaServers (after coalescing).",
        "metaproxy_coalesced_requests_total": "Queries that joined an identical one in flight.",
        "metaproxy_reused_replies_total": "Queries answered with an identical query's recent reply (meta.coalesce_window).",
        "metaproxy_upstream_duration_seconds": "MetaServer answer time.",
        "metaproxy_upstream_errors_total": "Failed MetaServer attempts by cluster, MetaServer and code.",
        "metaproxy_upstream_forwards_total": "ERR_FORWARD_TO_OTHERS answers followed.",
        // ZooKeeper.
        "metaproxy_zookeeper_session_state":
            "1 for the ZooKeeper session's current state (connecting, connected, disconnected, expired, auth_failed, closed), else 0.",
        "metaproxy_zookeeper_session_expirations_total": "ZooKeeper sessions expired by the server.",
        // Health probes and failover.
        "metaproxy_cluster_up": "1 when the cluster is up (rise/fall), else 0.",
        "metaproxy_meta_up": "1 when the MetaServer answers /version, else 0.",
        "metaproxy_probe_total": "Health probes by cluster and outcome.",
        "metaproxy_probe_latency_seconds": "Health probe round-trip time.",
        "metaproxy_replica_probe_total": "/replica/duplication requests to primaries (Pegasus 2.4/2.5 lag), by outcome.",
        "metaproxy_failover_decisions_total": "Failover decisions of this instance as decider, by table and kind.",
        "metaproxy_failover_active_backup": "1 while the table is served by a backup cluster, else 0.",
        "metaproxy_failover_is_decider": "1 on the instance that decides failover, else 0.",
        "metaproxy_failover_state_stale":
            "1 while the failover state source (ZooKeeper) is unreachable and routing keeps the last known state.",
        "metaproxy_failover_state_write_errors_total": "Failed writes of failover state by node and code.",
        "metaproxy_failover_refusals_total":
            "Refusal episodes of this instance as decider, by reason code (no_quorum, observer_suspect, lag_too_high, ...).",
        "metaproxy_failover_fenced_writes_total":
            "Decider writes rejected because this instance's election node was gone, by node (effective_route, lag, health).",
        "metaproxy_failover_state_unreadable_total":
            "Reads of a table's effective-route node that gave no document, by table and reason (malformed, read_error).",
        "metaproxy_failover_state_unreadable": "1 while the table's effective-route node is unreadable, else 0.",
        "metaproxy_failover_tick_seconds":
            "Time of each decider tick (every protected table decided, switches and lags written, health published).",
        // Build, process, reloads.
        "metaproxy_build_info": "Always 1; the build an instance runs (version, git commit, Swift version).",
        "process_cpu_seconds_total": "User and system CPU time of the process, seconds.",
        "process_resident_memory_bytes": "Resident set size of the process, bytes.",
        "process_virtual_memory_bytes": "Virtual memory size of the process, bytes.",
        "process_open_fds": "Open file descriptors of the process.",
        "process_max_fds": "The soft limit of open file descriptors (RLIMIT_NOFILE).",
        "process_start_time_seconds": "When the process started, seconds since the epoch.",
        "metaproxy_config_reload_failures_total": "SIGHUP reloads whose configuration file did not load.",
        "metaproxy_config_reload_failed": "1 after a SIGHUP reload whose configuration file did not load, 0 after one that did.",
        "metaproxy_policy_reload_failures_total": "Policy directory changes that did not load.",
        "metaproxy_policy_reload_failed": "1 while the policy files on disk failed to load (the previous policies stay), else 0.",
        "metaproxy_routes_file_reload_failures_total": "Routes-file contents rejected at reload (poll or SIGHUP).",
        "metaproxy_failover_hook_calls_total": "Failover hook calls (failover.hooks) by hook (exec, url) and result.",
        "metaproxy_failover_hook_dropped_total":
            "Failover hook events dropped because failover.hooks.queue events were already waiting.",
    ]

    /// Buckets of every latency histogram: 50 µs to 5 s (a relay takes well under 1 ms).
    public static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5),
    ]
}
