import Logging
import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import Router

/// Asks a cluster's MetaServers for their tables (`route sync`).
public enum ClusterTables {
    /// The names of the cluster's available tables (`RPC_CM_LIST_APPS`, status AS_AVAILABLE).
    /// - Parameters:
    ///   - cluster: The cluster to ask.
    ///   - timeoutMs: The whole query's timeout in milliseconds, shared by the cluster's MetaServers.
    /// - Throws: ``CommandError`` when no MetaServer answers or the answer is an error.
    public static func available(in cluster: ClusterRoute, timeoutMs: Int) async throws -> [String] {
        let pool = UpstreamPool(
            group: MultiThreadedEventLoopGroup.singleton,
            settings: UpstreamSettings(attemptTimeout: .milliseconds(Int64(max(1, timeoutMs / max(1, cluster.metas.count))))),
            logger: .command("meta-proxy.sync"))
        let args = RequestFrame.make(
            header: RequestHeader(), name: RpcName.listApps, seqid: 0, args: ListAppsRequest(status: .available)
        ).args
        let reply: ResponseFrame
        do {
            reply = try await pool.query(
                cluster: cluster, name: RpcName.listApps, args: args, timeout: .milliseconds(Int64(timeoutMs)),
                followsForwards: false)
        } catch {
            await pool.close()
            throw CommandError("list apps on \(cluster.name) failed: \(error)")
        }
        await pool.close()
        guard reply.errorName == ErrorCode.ok.name else { throw CommandError("list apps: server answered \(reply.errorName)") }
        let response = try reply.decodeResult(ListAppsResponse.self)
        guard response.err == .ok else { throw CommandError("list apps: \(response.err.name)") }
        return response.infos.filter { $0.status == .available }.map(\.appName)
    }
}
