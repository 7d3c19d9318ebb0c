import ArgumentParser

/// `meta-proxy`: a failover-aware duplication router for Apache Pegasus MetaServers.
@main
struct MetaProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta-proxy",
        abstract: "A failover-aware router of Pegasus QueryConfig RPCs, in front of many clusters.",
        subcommands: [ServeCommand.self, QueryCommand.self, RouteCommand.self, FailoverCommand.self, StatusCommand.self]
    )
}
