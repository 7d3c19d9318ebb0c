import HealthProbe
import NIOCore
import PegasusWire

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
        return TableDuplications(
            appId: response.appId, partitionCount: partitionCount, entries: response.entries.map(RPCDuplicationSource.entry))
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
