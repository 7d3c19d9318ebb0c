import ArgumentParser

/// `meta-proxy failover ...`: inspect and steer failover (DR drills, manual switches).
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Inspect and steer failover: status, switch, back, pause, resume.",
        subcommands: []
    )
}
