import HealthProbe
import NIOCore
import PegasusWire
import RouteModel
import Router

/// The MetaServer requests of a planned switch, over the ``UpstreamPool`` (leader-only RPCs:
/// a follower's `ERR_FORWARD_TO_OTHERS` moves on to the next MetaServer).
extension FailoverAdmin {
    /// Sends `request` as `name` to `cluster`'s leader and decodes the reply as `Response`.
    /// - Throws: ``FailoverAdminError/Code/metaRPC`` naming the cluster and RPC.
    func metaCall<Response: ThriftDecodable>(
        _ cluster: ClusterRoute,
        _ name: String,
        _ request: some ThriftEncodable,
        as _: Response.Type,
        timeout: Duration
    ) async throws(FailoverAdminError) -> Response {
        guard let upstream else {
            throw FailoverAdminError(.invalidArgument, message: "no MetaServer client for \(name) on \(cluster.name)")
        }
        let args = RequestFrame.make(header: RequestHeader(), name: name, seqid: 0, args: request).args
        do {
            let reply = try await upstream.query(
                cluster: cluster, name: name, args: args, timeout: TimeAmount(timeout), followsForwards: false)
            guard reply.errorName == ErrorCode.ok.name else {
                throw FailoverAdminError(.metaRPC, message: "\(name) on \(cluster.name): server answered \(reply.errorName)")
            }
            return try reply.decodeResult(Response.self)
        } catch let error as FailoverAdminError {
            throw error
        } catch {
            throw FailoverAdminError(.metaRPC, message: "\(name) on \(cluster.name) failed: \(error)")
        }
    }

    /// The `app_info` of `table` on `cluster` (`RPC_CM_LIST_APPS`, available tables, exact name).
    func appInfo(_ table: String, on cluster: ClusterRoute, timeout: Duration) async throws(FailoverAdminError)
        -> AppInfo
    {
        let request = ListAppsRequest(status: .available, appNamePattern: table, matchType: .exact)
        let response = try await metaCall(cluster, RpcName.listApps, request, as: ListAppsResponse.self, timeout: timeout)
        guard response.err == .ok else {
            throw FailoverAdminError(
                .metaRPC, table: table, message: "list apps on \(cluster.name): \(response.err)\(hint(response.hintMessage))")
        }
        // Servers without pattern filtering return every table: match the name here too.
        guard let info = response.infos.first(where: { $0.appName == table }) else {
            throw FailoverAdminError(.metaRPC, table: table, message: "table \(table) is not available on \(cluster.name)")
        }
        return info
    }

    /// `table`'s duplications on `cluster`, in the prober's form, with `partitionCount` filled in.
    ///
    /// When a duplication carries no `partition_states` (Pegasus 2.4/2.5) and the admin has a
    /// ``replicaLag`` reader, a query_config of the table names each partition's primary and the
    /// primaries' live lag is read into ``HealthProbe/TableDuplications/replicaLag``.
    func duplications(
        _ table: String,
        on cluster: ClusterRoute,
        partitionCount: Int,
        timeout: Duration
    ) async throws(FailoverAdminError) -> TableDuplications {
        let response = try await metaCall(
            cluster, RpcName.queryDuplication, DuplicationQueryRequest(appName: table),
            as: DuplicationQueryResponse.self, timeout: timeout)
        guard response.err == .ok else {
            throw FailoverAdminError(.metaRPC, table: table, message: "query duplication on \(cluster.name): \(response.err)")
        }
        let report = TableDuplications(
            appId: response.appId, partitionCount: partitionCount, entries: response.entries)
        return try await RPCDuplicationSource.addingReplicaLag(to: report, reader: replicaLag, timeout: timeout) {
            () async throws(FailoverAdminError) in
            try await queryConfig(table, on: cluster, timeout: timeout).partitions
        }
    }

    /// `table`'s partition configuration on `cluster` (`RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`, all partitions).
    func queryConfig(_ table: String, on cluster: ClusterRoute, timeout: Duration) async throws(FailoverAdminError)
        -> QueryConfigResponse
    {
        let response = try await metaCall(
            cluster, RpcName.queryConfig, QueryConfigRequest(appName: table), as: QueryConfigResponse.self,
            timeout: timeout)
        guard response.err == .ok else {
            throw FailoverAdminError(.metaRPC, table: table, message: "query config on \(cluster.name): \(response.err)")
        }
        return response
    }

    /// Sets or deletes app envs of `table` on `cluster` (`RPC_CM_UPDATE_APP_ENV`).
    func updateAppEnv(_ request: UpdateAppEnvRequest, on cluster: ClusterRoute, timeout: Duration)
        async throws(FailoverAdminError)
    {
        let response = try await metaCall(
            cluster, RpcName.updateAppEnv, request, as: UpdateAppEnvResponse.self, timeout: timeout)
        guard response.err == .ok else {
            throw FailoverAdminError(
                .metaRPC, table: request.appName,
                message: "update app env (\(request.operation)) of \(request.appName) on \(cluster.name): "
                    + "\(response.err)\(hint(response.hintMessage))")
        }
    }

    private func hint(_ message: String?) -> String {
        guard let message, !message.isEmpty else {
            return ""
        }
        return " (\(message))"
    }
}
