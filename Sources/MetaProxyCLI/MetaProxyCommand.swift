import ArgumentParser
import Foundation
import MetaProxyApp

/// `meta-proxy`: a failover-aware duplication router for Apache Pegasus MetaServers.
@main
struct MetaProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta-proxy",
        abstract: "A failover-aware router of Pegasus QueryConfig RPCs, in front of many clusters.",
        discussion: CommandExit.helpText,
        // `meta-proxy --version`: version, git commit, build date, Swift version (exit 0).
        version: BuildInfo.current.versionText,
        subcommands: [
            ServeCommand.self, CheckCommand.self, QueryCommand.self, RouteCommand.self, FailoverCommand.self,
            StatusCommand.self,
        ]
    )

    /// Parses the command line and runs the command; a failure is one line on stderr (or a JSON
    /// error on stdout under `--json`) and a documented exit status (``CommandExit``).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let json = arguments.contains("--json")
        var command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot(arguments)
        } catch {
            CommandExit.exitForParseError(error, json: json)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            CommandExit.exit(for: error, json: json)
        }
    }
}
