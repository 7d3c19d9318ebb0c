import ArgumentParser
import MetaProxyApp

/// `meta-proxy serve`: runs the proxy until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Pegasus clients: route QueryConfig RPCs by table to their (effective) cluster."
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        if try await ProxyProcess.run(configuration: configuration) == .failed {
            throw ExitCode.failure
        }
    }
}
