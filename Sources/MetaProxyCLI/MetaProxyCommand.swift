import ArgumentParser
import MetaProxyApp

/// `meta-proxy`: a failover-aware duplication router for Apache Pegasus MetaServers.
@main
struct MetaProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta-proxy",
        abstract: "A failover-aware router of Pegasus QueryConfig RPCs, in front of many clusters.",
        // `meta-proxy --version`: version, git commit, build date, Swift version (exit 0).
        version: BuildInfo.current.versionText,
        subcommands: [ServeCommand.self, CheckCommand.self, QueryCommand.self, RouteCommand.self, FailoverCommand.self]
    )
}
