import ArgumentParser
import FailoverControl
import Foundation
import Logging
import MetaProxyApp
import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import Router

/// `meta-proxy query <table> --meta h:p,...`: asks MetaServers (or a meta-proxy) for a table's
/// partition configuration like a Pegasus client, following the leader, and prints it.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query a table's partition configuration like a Pegasus client and print it."
    )

    @Argument(help: "Table (app) name.")
    var table: String

    @Option(name: .long, help: "MetaServer or meta-proxy addresses, comma separated (host:port,...).")
    var meta: String

    @Option(name: .long, help: "Whole-query timeout in milliseconds.")
    var timeout: Int = 5000

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Frame format: thft (Java/Go/Python clients) or rdsn (C++ client, shell).")
    var format: Format = .thft

    enum Format: String, ExpressibleByArgument {
        case thft, rdsn
    }

    func run() async throws {
        let metas: [Endpoint]
        do {
            metas = try meta.split(separator: ",").map { try Endpoint(parsing: String($0.trimmingCharacters(in: .whitespaces))) }
        } catch {
            throw ValidationError("--meta: \(error)")
        }
        guard !metas.isEmpty else { throw ValidationError("--meta: give at least one host:port") }
        if format == .rdsn {
            let response = try await RdsnQuery.queryConfig(table: table, metas: metas, timeout: .milliseconds(Int64(timeout)))
            print(json ? QueryOutput.json(response) : QueryOutput.table(table: table, response))
            if response.err != .ok { throw ExitCode(2) }
            return
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let pool = UpstreamPool(
            group: group,
            settings: UpstreamSettings(attemptTimeout: .milliseconds(Int64(max(1, timeout / max(1, metas.count))))),
            logger: Logger(label: "meta-proxy.query"))
        let args = RequestFrame.make(
            header: RequestHeader(), name: RpcName.queryConfig, seqid: 0,
            args: QueryConfigRequest(appName: table, partitionIndices: [])
        ).args
        let reply: ResponseFrame
        do {
            reply = try await pool.query(
                cluster: ClusterRoute(name: "cli", metas: metas), name: RpcName.queryConfig, args: args,
                timeout: .milliseconds(Int64(timeout)))
        } catch {
            await pool.close()
            throw CLIError("query failed: \(error)")
        }
        await pool.close()
        guard reply.errorName == ErrorCode.ok.name else {
            throw CLIError("server answered \(reply.errorName)")
        }
        let response = try reply.decodeResult(QueryConfigResponse.self)
        print(json ? QueryOutput.json(response) : QueryOutput.table(table: table, response))
        if response.err != .ok { throw ExitCode(2) }
    }
}
