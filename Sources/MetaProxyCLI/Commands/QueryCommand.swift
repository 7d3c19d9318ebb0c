import ArgumentParser
import Foundation
import MetaProxyApp
import PegasusWire

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
        try TableArgument.check(table)
        guard (1...3_600_000).contains(timeout) else {
            throw ValidationError("--timeout: expected 1 to 3600000 milliseconds, got \(timeout)")
        }
        let metas: [Endpoint]
        do {
            metas = try meta.split(separator: ",").map { try Endpoint(parsing: String($0.trimmingCharacters(in: .whitespaces))) }
        } catch {
            throw ValidationError("--meta: \(error)")
        }
        guard !metas.isEmpty else { throw ValidationError("--meta: give at least one host:port") }
        let response = try await ConfigQuery.run(
            table: table, metas: metas, timeoutMs: timeout, format: format == .rdsn ? .rdsn : .thft)
        print(json ? QueryOutput.json(response) : QueryOutput.table(table: table, response))
        if response.err != .ok { throw ExitCode(2) }
    }
}
