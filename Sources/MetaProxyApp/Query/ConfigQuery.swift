import Logging
import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import Router

/// `meta-proxy query`: asks MetaServers (or a meta-proxy) for a table's partition configuration
/// like a Pegasus client, following the leader.
public enum ConfigQuery {
    /// The frames a query is sent in.
    public enum Format: String, Sendable {
        /// THFT request frames, as the Java, Go and Python clients send.
        case thft
        /// rDSN's native `RDSN` frames, as the C++ client and the shell send.
        case rdsn
    }

    /// The query_cfg_response for `table`.
    /// - Parameters:
    ///   - table: The table (app) name.
    ///   - metas: The MetaServers or meta-proxies to ask.
    ///   - timeoutMs: The whole query's timeout in milliseconds.
    ///   - format: The frame format.
    /// - Throws: ``CommandError`` when no MetaServer answered (kind ``CommandFailure/Kind/unavailable``, the
    ///   message naming the address and the OS error) or the answer is an error frame.
    public static func run(table: String, metas: [Endpoint], timeoutMs: Int, format: Format) async throws
        -> QueryConfigResponse
    {
        switch format {
        case .rdsn:
            try await RdsnQuery.queryConfig(table: table, metas: metas, timeout: .milliseconds(Int64(timeoutMs)))
        case .thft:
            try await thft(table: table, metas: metas, timeoutMs: timeoutMs)
        }
    }

    /// Over THFT frames through an ``UpstreamPool`` (which follows `ERR_FORWARD_TO_OTHERS`).
    private static func thft(table: String, metas: [Endpoint], timeoutMs: Int) async throws -> QueryConfigResponse {
        let group = MultiThreadedEventLoopGroup.singleton
        let pool = UpstreamPool(
            group: group,
            settings: UpstreamSettings(attemptTimeout: .milliseconds(Int64(max(1, timeoutMs / max(1, metas.count))))),
            logger: Logger(label: "meta-proxy.query"))
        let args = RequestFrame.make(
            header: RequestHeader(), name: RpcName.queryConfig, seqid: 0,
            args: QueryConfigRequest(appName: table, partitionIndices: [])
        ).args
        let reply: ResponseFrame
        do {
            reply = try await pool.query(
                cluster: ClusterRoute(name: "", metas: metas), name: RpcName.queryConfig, args: args,
                timeout: .milliseconds(Int64(timeoutMs)))
        } catch {
            await pool.close()
            throw CommandError("query \(table): \(CommandFailure.describe(error))", kind: .unavailable)
        }
        await pool.close()
        guard reply.errorName == ErrorCode.ok.name else {
            throw CommandError("query \(table): server answered \(reply.errorName)")
        }
        return try reply.decodeResult(QueryConfigResponse.self)
    }
}
