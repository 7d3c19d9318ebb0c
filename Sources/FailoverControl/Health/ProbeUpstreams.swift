import Logging
import NIOCore
import PegasusWire
import RouteModel
import Router
import Synchronization

/// The MetaServer client of the health probes: one ``UpstreamPool`` per probe timeout (its attempt
/// timeout), separate from the data path's pool so probes neither share its connections nor count in
/// its metrics.
///
/// A query tries the cluster's MetaServers in turn, each for at most `timeout`, and gives up after
/// `timeout` × the number of MetaServers.
public final class ProbeUpstreams: Sendable {
    private let group: any EventLoopGroup
    private let maxForwardHops: Int
    private let logger: Logger
    private let pools = Mutex<[Duration: UpstreamPool]>([:])

    /// Creates the probe client.
    /// - Parameters:
    ///   - group: The event loops for its connections.
    ///   - maxForwardHops: How many `ERR_FORWARD_TO_OTHERS` hops a query follows.
    ///   - logger: Attempt failures at debug.
    public init(group: any EventLoopGroup, maxForwardHops: Int = UpstreamSettings().maxForwardHops, logger: Logger) {
        self.group = group
        self.maxForwardHops = maxForwardHops
        self.logger = logger
    }

    /// Sends one request to the cluster's leader.
    /// - Parameters:
    ///   - cluster: The cluster name.
    ///   - metas: Its MetaServers, `host:port` (invalid ones are skipped).
    ///   - name: The RPC name.
    ///   - request: The request struct.
    ///   - timeout: The per-MetaServer timeout.
    ///   - followsForwards: Whether the reply is a query-config reply that names the leader.
    /// - Throws: ``UpstreamError``.
    func query(
        cluster: String,
        metas: [String],
        name: String,
        request: some ThriftEncodable,
        timeout: Duration,
        followsForwards: Bool
    ) async throws -> ResponseFrame {
        let addresses = metas.compactMap { try? Endpoint(parsing: $0) }
        guard !addresses.isEmpty else {
            throw UpstreamError(.allMetasFailed, cluster: cluster, detail: "no valid MetaServer address in \(metas)")
        }
        let args = RequestFrame.make(header: RequestHeader(), name: name, seqid: 0, args: request).args
        return try await pool(timeout).query(
            cluster: ClusterRoute(name: cluster, metas: addresses),
            name: name,
            args: args,
            timeout: TimeAmount(timeout * addresses.count),
            followsForwards: followsForwards
        )
    }

    /// Closes every pool's connections.
    public func close() async {
        for pool in pools.withLock({ Array($0.values) }) {
            await pool.close()
        }
    }

    private func pool(_ timeout: Duration) -> UpstreamPool {
        pools.withLock { pools in
            if let pool = pools[timeout] {
                return pool
            }
            let settings = UpstreamSettings(
                attemptTimeout: TimeAmount(timeout),
                maxForwardHops: maxForwardHops,
                coalesce: false
            )
            let pool = UpstreamPool(group: group, settings: settings, logger: logger)
            pools[timeout] = pool
            return pool
        }
    }
}
