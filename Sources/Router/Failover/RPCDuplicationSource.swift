import HealthProbe
import PegasusWire

/// A ``DuplicationSource`` over `RPC_CM_QUERY_DUPLICATION` (design doc §3.1–3.4), plus a query_config
/// for the partition count (without it every lag is unknown). When the RPC fails — a server without
/// the RPC, a transport error, an error code — the `fallback` source (HTTP) is asked instead.
public struct RPCDuplicationSource: DuplicationSource {
    private let upstreams: ProbeUpstreams
    private let fallback: (any DuplicationSource)?

    /// Creates the source.
    /// - Parameters:
    ///   - upstreams: The probes' MetaServer client.
    ///   - fallback: Asked when the RPC fails (typically ``HTTPDuplicationSource``); `nil` for none.
    public init(upstreams: ProbeUpstreams, fallback: (any DuplicationSource)?) {
        self.upstreams = upstreams
        self.fallback = fallback
    }

    /// Asks the cluster's leader for `table`'s duplications over RPC, then the fallback on failure.
    public func queryDuplications(cluster: String, metas: [String], table: String, timeout: Duration) async
        -> DuplicationQueryOutcome
    {
        let failure: String
        switch await queryRPC(cluster: cluster, metas: metas, table: table, timeout: timeout) {
        case .success(let report):
            return .answered(report)
        case .failure(let message):
            failure = message
        }
        guard let fallback else {
            return .failed("rpc: \(failure)")
        }
        switch await fallback.queryDuplications(cluster: cluster, metas: metas, table: table, timeout: timeout) {
        case .answered(let report):
            return .answered(report)
        case .failed(let message):
            return .failed("rpc: \(failure); fallback: \(message)")
        }
    }

    private enum RPCOutcome {
        case success(TableDuplications)
        case failure(String)
    }

    private func queryRPC(cluster: String, metas: [String], table: String, timeout: Duration) async -> RPCOutcome {
        let response: DuplicationQueryResponse
        do {
            let reply = try await upstreams.query(
                cluster: cluster,
                metas: metas,
                name: RpcName.queryDuplication,
                request: DuplicationQueryRequest(appName: table),
                timeout: timeout,
                followsForwards: false
            )
            guard reply.errorName == ErrorCode.ok.name else {
                return .failure(reply.errorName)
            }
            response = try reply.decodeResult(DuplicationQueryResponse.self)
        } catch {
            return .failure("\(error)")
        }
        guard response.err == .ok else {
            return .failure(response.err.name)
        }
        var report = TableDuplications(appId: response.appId, entries: response.entries.map(Self.entry))
        if !report.entries.isEmpty {
            report.partitionCount = await partitionCount(cluster: cluster, metas: metas, table: table, timeout: timeout)
        }
        return .success(report)
    }

    /// The table's partition count from query_config, `nil` when it cannot be read.
    private func partitionCount(cluster: String, metas: [String], table: String, timeout: Duration) async -> Int? {
        do {
            let reply = try await upstreams.query(
                cluster: cluster,
                metas: metas,
                name: RpcName.queryConfig,
                request: QueryConfigRequest(appName: table),
                timeout: timeout,
                followsForwards: true
            )
            guard reply.errorName == ErrorCode.ok.name else { return nil }
            let response = try reply.decodeResult(QueryConfigResponse.self)
            return response.err == .ok ? Int(response.partitionCount) : nil
        } catch {
            return nil
        }
    }

    /// The prober's form of a wire entry.
    static func entry(_ wire: PegasusWire.DuplicationEntry) -> HealthProbe.DuplicationEntry {
        HealthProbe.DuplicationEntry(
            dupid: wire.dupid,
            remote: wire.remote,
            status: HealthProbe.DuplicationStatus(rpcValue: wire.status.rawValue),
            failMode: wire.failMode.map { HealthProbe.DuplicationFailMode(rpcValue: $0.rawValue) },
            remoteAppName: wire.remoteAppName,
            partitionStates: wire.partitionStates?.mapValues {
                HealthProbe.DuplicationPartitionState(
                    confirmedDecree: $0.confirmedDecree,
                    lastCommittedDecree: $0.lastCommittedDecree
                )
            }
        )
    }
}
