import HealthProbe
import PegasusWire
import RouteModel
import Router

/// A ``DuplicationSource`` over `RPC_CM_QUERY_DUPLICATION` (docs/pegasus-reference.md §12.1–§12.4), plus a query_config
/// for the partition count (without it every lag is unknown). When the RPC fails — a server without
/// the RPC, a transport error, an error code — the `fallback` source (HTTP) is asked instead; an
/// HTTP answer without per-partition lag (Pegasus 2.4/2.5) is ``DuplicationQueryOutcome/incomplete(_:_:)``,
/// so it never replaces a known lag with "unknown".
///
/// When a duplication carries no `partition_states` (Pegasus 2.4/2.5), the same query_config names
/// each partition's primary, and `replicaLag` asks every distinct primary ReplicaServer
/// `GET /replica/duplication?appid=N` for its live lag (``TableDuplications/replicaLag``).
public struct RPCDuplicationSource: DuplicationSource {
    private let upstreams: ProbeUpstreams
    private let fallback: (any DuplicationSource)?
    private let replicaLag: ReplicaLagReader?

    /// Creates the source.
    /// - Parameters:
    ///   - upstreams: The probes' MetaServer client.
    ///   - fallback: Asked when the RPC fails (typically ``HTTPDuplicationSource``); `nil` for none.
    ///   - replicaLag: Reads lag from the primaries when `partition_states` are absent; `nil` leaves it unknown.
    public init(upstreams: ProbeUpstreams, fallback: (any DuplicationSource)?, replicaLag: ReplicaLagReader? = nil) {
        self.upstreams = upstreams
        self.fallback = fallback
        self.replicaLag = replicaLag
    }

    /// Asks the cluster's leader for `table`'s duplications over RPC, then the fallback on failure.
    public func queryDuplications(cluster: String, metas: [String], table: String, timeout: Duration) async
        -> DuplicationQueryOutcome
    {
        let failure: String
        switch await queryRPC(cluster: cluster, metas: metas, table: table, timeout: timeout) {
        case .success(let report):
            return .answered(report)
        case .incomplete(let report, let reason):
            return .incomplete(report, reason)
        case .failure(let message):
            failure = message
        }
        guard let fallback else {
            return .failed("rpc: \(failure)")
        }
        switch await fallback.queryDuplications(cluster: cluster, metas: metas, table: table, timeout: timeout) {
        case .answered(let report) where report.needsReplicaLag && report.replicaLag == nil:
            // Pegasus 2.4/2.5 over HTTP: no per-partition lag. Never let it replace a known lag with
            // "unknown": incomplete keeps the last complete observation (with its time).
            return .incomplete(report, "rpc: \(failure); HTTP fallback carries no per-partition lag")
        case .answered(let report):
            return .answered(report)
        case .incomplete(let report, let reason):
            return .incomplete(report, "rpc: \(failure); fallback: \(reason)")
        case .failed(let message):
            return .failed("rpc: \(failure); fallback: \(message)")
        }
    }

    private enum RPCOutcome {
        case success(TableDuplications)
        case incomplete(TableDuplications, String)
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
        var report = TableDuplications(appId: response.appId, entries: response.entries)
        guard !report.entries.isEmpty else {
            return .success(report)
        }
        guard let config = await queryConfig(cluster: cluster, metas: metas, table: table, timeout: timeout) else {
            return .incomplete(report, "query_config for the partition count failed")
        }
        report.partitionCount = Int(config.partitionCount)
        report = await Self.addingReplicaLag(to: report, reader: replicaLag, timeout: timeout) { config.partitions }
        if let failed = report.replicaLag?.failedReplicas, !failed.isEmpty {
            let names = failed.map { "\($0.replica) (\($0.error))" }.joined(separator: ", ")
            return .incomplete(report, "primary ReplicaServers did not answer: \(names)")
        }
        return .success(report)
    }

    /// `report` with ``HealthProbe/TableDuplications/replicaLag`` read when it needs it (an entry
    /// without `partition_states`, Pegasus 2.4/2.5): `partitions` (a query_config of the table) names
    /// each partition's primary, and `reader` asks every distinct primary for its live lag.
    ///
    /// `partitions` is called only then. `report` comes back unchanged when it needs no replica lag,
    /// or has no app id, or `reader` is `nil`.
    /// - Parameters:
    ///   - report: The duplication query's report.
    ///   - reader: Reads the primaries' `/replica/duplication`; `nil` leaves the lag unknown.
    ///   - timeout: The timeout of each replica request.
    ///   - partitions: The table's partition configurations.
    /// - Throws: What `partitions` throws.
    static func addingReplicaLag<Failure: Error>(
        to report: TableDuplications,
        reader: ReplicaLagReader?,
        timeout: Duration,
        partitions: () async throws(Failure) -> [PartitionConfiguration]
    ) async throws(Failure) -> TableDuplications {
        guard report.needsReplicaLag, let reader, let appId = report.appId else {
            return report
        }
        var report = report
        report.replicaLag = await reader.read(appId: appId, primaries: primaries(try await partitions()), timeout: timeout)
        return report
    }

    /// The table's query_config reply, `nil` when it cannot be read.
    private func queryConfig(
        cluster: String,
        metas: [String],
        table: String,
        timeout: Duration
    ) async -> QueryConfigResponse? {
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
            return response.err == .ok ? response : nil
        } catch {
            return nil
        }
    }

    /// Partition index → primary `host:port` (the host-port form when the server sends it); partitions
    /// without a primary are left out.
    static func primaries(_ partitions: [PartitionConfiguration]) -> [Int32: String] {
        var primaries: [Int32: String] = [:]
        for partition in partitions {
            if let hostPort = partition.hpPrimary, !hostPort.isInvalid {
                primaries[partition.pid.partitionIndex] = hostPort.description
            } else if !partition.primary.isInvalid {
                primaries[partition.pid.partitionIndex] = partition.primary.description
            }
        }
        return primaries
    }
}
