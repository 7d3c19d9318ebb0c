import ArgumentParser
import Foundation
import MetaProxyApp

/// `meta-proxy serve`: runs the proxy until SIGTERM/SIGINT; SIGHUP reloads.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Pegasus clients: route QueryConfig RPCs by table to their (effective) cluster.",
        discussion: """
            Signals: SIGTERM and SIGINT drain and stop (exit 0); SIGHUP re-reads the routes file, the \
            policy directory and the configuration file's reloadable keys (log.level) and keeps serving; \
            SIGPIPE is ignored. A startup failure prints one line (meta-proxy: ...) and exits 1.
            """
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let options = self.options
        var reload: (@Sendable () throws -> ProxyConfiguration)?
        if options.config != nil {
            reload = { @Sendable in try options.loadConfiguration() }
        }
        let outcome: ProxyProcess.Outcome
        do {
            outcome = try await ProxyProcess.run(configuration: configuration, reloadConfiguration: reload)
        } catch let error as StartupError {
            // One line for the operator (and for journald under Restart=always), no backtrace.
            FileHandle.standardError.write(Data("meta-proxy: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if outcome == .failed {
            throw ExitCode.failure
        }
    }
}
