import HealthProbe
import PegasusWire
import RouteModel
import Router

/// The ``RPCHealthProbe`` of meta-proxy: `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` for the probed
/// table through ``ProbeUpstreams``, following `ERR_FORWARD_TO_OTHERS` to the leader a bounded number
/// of times (docs/pegasus-reference.md §11.3: a leader answers and every partition has a primary).
public struct UpstreamRPCHealthProbe: RPCHealthProbe {
    private let upstreams: ProbeUpstreams

    /// Creates the probe.
    /// - Parameter upstreams: The probes' MetaServer client.
    public init(upstreams: ProbeUpstreams) {
        self.upstreams = upstreams
    }

    /// Asks the cluster's leader for `table`'s partition configuration.
    public func queryConfig(cluster: String, metas: [String], table: String, timeout: Duration) async
        -> RPCProbeOutcome
    {
        let reply: ResponseFrame
        do {
            reply = try await upstreams.query(
                cluster: cluster,
                metas: metas,
                name: RpcName.queryConfig,
                request: QueryConfigRequest(appName: table),
                timeout: timeout,
                followsForwards: true
            )
        } catch let error as UpstreamError where error.code == .noLeader {
            return .forwardOnly
        } catch {
            return .error("\(error)")
        }
        guard reply.errorName == ErrorCode.ok.name else {
            return .error(reply.errorName)
        }
        let response: QueryConfigResponse
        do {
            response = try reply.decodeResult(QueryConfigResponse.self)
        } catch {
            return .error("unreadable query_config reply: \(error)")
        }
        switch response.err {
        case .ok:
            return .leaderAnswered(
                partitionCount: Int(response.partitionCount),
                partitionsWithoutPrimary: Self.partitionsWithoutPrimary(response.partitions),
                appId: response.appId
            )
        case .forwardToOthers:
            return .forwardOnly
        default:
            return .error(response.err.name)
        }
    }

    /// Partitions with no primary, not counting children of a split in progress (`ballot < 0`).
    static func partitionsWithoutPrimary(_ partitions: [PartitionConfiguration]) -> Int {
        partitions.filter { partition in
            partition.ballot >= 0 && partition.primary.isInvalid && (partition.hpPrimary?.isInvalid ?? true)
        }.count
    }
}
