import Metrics
import Synchronization

/// The prober's metric handles, made once per label set and cached.
///
/// - `metaproxy_cluster_up{cluster}`: 1 when the cluster is up, 0 when down or unknown.
/// - `metaproxy_meta_up{cluster,meta}`: the same per MetaServer.
/// - `metaproxy_probe_total{cluster,result}`: `/version` probes; `result` is `ok` or a ``ProbeError`` code.
/// - `metaproxy_probe_latency_seconds{cluster,meta}`: `/version` probe durations (a Timer).
/// - `metaproxy_replica_probe_total{cluster,result}`: `/replica/duplication` requests to the primaries
///   of a cluster's tables (v2.4/v2.5 lag); `result` is `ok` or `failed`.
final class ProbeMetrics: Sendable {
    private struct MetaKey: Hashable {
        var cluster: String
        var meta: String
    }

    private struct ResultKey: Hashable {
        var cluster: String
        var result: String
    }

    private struct Handles {
        var clusterUp: [String: Gauge] = [:]
        var metaUp: [MetaKey: Gauge] = [:]
        var probes: [ResultKey: Counter] = [:]
        var latency: [MetaKey: Timer] = [:]
        var replicaProbes: [ResultKey: Counter] = [:]
    }

    private let factory: any MetricsFactory
    private let handles = Mutex(Handles())

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records a cluster's state.
    func recordCluster(_ cluster: String, status: HealthStatus) {
        let gauge = self.handle(\.clusterUp, cluster) {
            Gauge(label: "metaproxy_cluster_up", dimensions: [("cluster", cluster)], factory: self.factory)
        }
        gauge.record(status == .up ? 1 : 0)
    }

    /// Records a MetaServer's probe result and resulting state.
    func recordMeta(_ cluster: String, result: MetaProbeResult, status: HealthStatus) {
        let outcome = result.error.map { $0.code.description } ?? "ok"
        let key = MetaKey(cluster: cluster, meta: result.meta)
        let gauge = self.handle(\.metaUp, key) {
            Gauge(
                label: "metaproxy_meta_up",
                dimensions: [("cluster", cluster), ("meta", result.meta)],
                factory: self.factory
            )
        }
        let counter = self.handle(\.probes, ResultKey(cluster: cluster, result: outcome)) {
            Counter(
                label: "metaproxy_probe_total",
                dimensions: [("cluster", cluster), ("result", outcome)],
                factory: self.factory
            )
        }
        let timer = self.handle(\.latency, key) {
            Timer(
                label: "metaproxy_probe_latency_seconds",
                dimensions: [("cluster", cluster), ("meta", result.meta)],
                factory: self.factory
            )
        }
        gauge.record(status == .up ? 1 : 0)
        counter.increment()
        timer.record(duration: result.latency)
    }

    /// Counts one round of `/replica/duplication` requests to a cluster's primaries.
    func recordReplicaProbes(_ cluster: String, answered: Int, failed: Int) {
        for (result, count) in [("ok", answered), ("failed", failed)] where count > 0 {
            let counter = self.handle(\.replicaProbes, ResultKey(cluster: cluster, result: result)) {
                Counter(
                    label: "metaproxy_replica_probe_total",
                    dimensions: [("cluster", cluster), ("result", result)],
                    factory: self.factory
                )
            }
            counter.increment(by: count)
        }
    }

    /// Destroys every handle of a removed cluster.
    func forget(cluster: String) {
        let removed = self.handles.withLock { handles in
            var removed: [any MetricHandle] = []
            if let gauge = handles.clusterUp.removeValue(forKey: cluster) {
                removed.append(gauge)
            }
            for key in handles.metaUp.keys where key.cluster == cluster {
                removed.append(contentsOf: Self.take(&handles, MetaKey(cluster: key.cluster, meta: key.meta)))
            }
            for key in handles.probes.keys where key.cluster == cluster {
                if let counter = handles.probes.removeValue(forKey: key) {
                    removed.append(counter)
                }
            }
            for key in handles.replicaProbes.keys where key.cluster == cluster {
                if let counter = handles.replicaProbes.removeValue(forKey: key) {
                    removed.append(counter)
                }
            }
            return removed
        }
        removed.forEach { $0.destroyHandle() }
    }

    /// Destroys the handles of a removed MetaServer.
    func forget(cluster: String, meta: String) {
        let removed = self.handles.withLock { Self.take(&$0, MetaKey(cluster: cluster, meta: meta)) }
        removed.forEach { $0.destroyHandle() }
    }

    private static func take(_ handles: inout Handles, _ key: MetaKey) -> [any MetricHandle] {
        var removed: [any MetricHandle] = []
        if let gauge = handles.metaUp.removeValue(forKey: key) {
            removed.append(gauge)
        }
        if let timer = handles.latency.removeValue(forKey: key) {
            removed.append(timer)
        }
        return removed
    }

    /// The cached handle for `key`, made (outside the lock) on first use. If two callers race, the
    /// first stored wins and the other's handle is dropped unused.
    private func handle<Key: Hashable, Handle: Sendable>(
        _ cache: WritableKeyPath<Handles, [Key: Handle]>,
        _ key: Key,
        make: () -> Handle
    ) -> Handle {
        if let existing = self.handles.withLock({ $0[keyPath: cache][key] }) {
            return existing
        }
        let made = make()
        return self.handles.withLock { handles in
            if let existing = handles[keyPath: cache][key] {
                return existing
            }
            handles[keyPath: cache][key] = made
            return made
        }
    }
}

/// A metric handle that can be destroyed (unregistered from its factory).
private protocol MetricHandle {
    func destroyHandle()
}

extension Gauge: MetricHandle {
    fileprivate func destroyHandle() { self.destroy() }
}

extension Counter: MetricHandle {
    fileprivate func destroyHandle() { self.destroy() }
}

extension Timer: MetricHandle {
    fileprivate func destroyHandle() { self.destroy() }
}
