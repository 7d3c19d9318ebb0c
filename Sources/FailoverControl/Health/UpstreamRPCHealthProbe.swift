import HealthProbe
import PegasusWire
import RouteModel
import Router

/// The ``RPCHealthProbe`` of meta-proxy: `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX` for the probed
/// table through ``ProbeUpstreams``, following `ERR_FORWARD_TO_OTHERS` to the leader a bounded number
/// of times (docs/pegasus-reference.md §11.3: a leader answers and every partition has a primary),
/// and `RPC_CM_LIST_APPS` for the cluster-level signal and every table's
/// `replica.deny_client_request` (§13.2). Two requests per cluster per round, whatever the number of
/// tables.
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
        let response: QueryConfigResponse
        switch await exchange(
            cluster: cluster, metas: metas, name: RpcName.queryConfig, request: QueryConfigRequest(appName: table),
            timeout: timeout, followsForwards: true, as: QueryConfigResponse.self)
        {
        case .answered(let answer): response = answer
        case .noLeader: return .forwardOnly
        case .failed(let detail): return .error(detail)
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
        case let err where RPCProbeOutcome.tableErrorCodes.contains(err.name):
            return .tableUnavailable(err.name)
        default:
            return .error(response.err.name)
        }
    }

    /// Asks the cluster's leader for its available tables and keeps each one's
    /// `replica.deny_client_request`.
    public func listApps(cluster: String, metas: [String], timeout: Duration) async -> AppListOutcome? {
        let response: ListAppsResponse
        switch await exchange(
            cluster: cluster, metas: metas, name: RpcName.listApps, request: ListAppsRequest(status: .available),
            timeout: timeout, followsForwards: false, as: ListAppsResponse.self)
        {
        case .answered(let answer): response = answer
        case .noLeader: return .forwardOnly
        case .failed(let detail): return .error(detail)
        }
        switch response.err {
        case .ok:
            return Self.listed(response.infos)
        case .forwardToOthers:
            return .forwardOnly
        default:
            return .error(response.err.name)
        }
    }

    /// How one request to a cluster's MetaServers ended.
    private enum Exchange<Response> {
        /// A MetaServer answered `ERR_OK` at the RPC level with a decodable `Response`.
        case answered(Response)
        /// Every MetaServer pointed elsewhere: no leader reachable.
        case noLeader
        /// Anything else, described.
        case failed(String)
    }

    /// Sends `request` as `name` and decodes the reply as `Response`.
    private func exchange<Response: ThriftDecodable>(
        cluster: String, metas: [String], name: String, request: some ThriftEncodable, timeout: Duration,
        followsForwards: Bool, as _: Response.Type
    ) async -> Exchange<Response> {
        let reply: ResponseFrame
        do {
            reply = try await upstreams.query(
                cluster: cluster, metas: metas, name: name, request: request, timeout: timeout,
                followsForwards: followsForwards)
        } catch let error as UpstreamError where error.code == .noLeader {
            return .noLeader
        } catch {
            return .failed("\(error)")
        }
        guard reply.errorName == ErrorCode.ok.name else {
            return .failed(reply.errorName)
        }
        do {
            return .answered(try reply.decodeResult(Response.self))
        } catch {
            return .failed("unreadable \(name) reply: \(error)")
        }
    }

    /// The app env naming how a table denies client requests (docs/pegasus-reference.md §13.2).
    public static let denyClientRequestKey = "replica.deny_client_request"

    /// The outcome for a leader's table list: the count, and the tables whose envs deny requests.
    static func listed(_ infos: [AppInfo]) -> AppListOutcome {
        var denials: [String: String] = [:]
        for info in infos {
            if let value = info.envs[denyClientRequestKey], !value.isEmpty {
                denials[info.appName] = value
            }
        }
        return .listed(tableCount: infos.count, denials: denials)
    }

    /// Partitions with no primary, not counting children of a split in progress (`ballot < 0`).
    static func partitionsWithoutPrimary(_ partitions: [PartitionConfiguration]) -> Int {
        partitions.filter { partition in
            partition.ballot >= 0 && partition.primary.isInvalid && (partition.hpPrimary?.isInvalid ?? true)
        }.count
    }
}
