import ArgumentParser

/// `meta-proxy route ...`: manage table routes in ZooKeeper.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Manage table routes in ZooKeeper.",
        subcommands: []
    )
}
