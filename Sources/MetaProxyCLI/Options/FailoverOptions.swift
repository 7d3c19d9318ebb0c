import ArgumentParser
import FailoverControl
import FailoverPolicy
import MetaProxyApp

/// Options every `failover` subcommand shares: where ZooKeeper is, the policy directory, JSON output.
struct FailoverOptions: ParsableArguments {
    @OptionGroup var zk: ZooKeeperOptions

    @Option(help: "Policy directory (else failover.policies_dir of --config, else ./policies when it exists).")
    var policies: String?

    @Flag(help: "Print JSON.") var json = false

    /// Runs `body` with a ``FailoverAdmin`` (``FailoverSession``): the policies, then ZooKeeper as
    /// these options name them.
    /// `writers`: the `--failover-writer` ids of a command that writes failover state.
    func withAdmin<T>(
        writers: FailoverWriterOptions? = nil, rpcTimeout: Duration? = nil, _ body: (FailoverAdmin) async throws -> T
    ) async throws -> T {
        let policies = try FailoverSession.loadPolicies(directory: policies, configFile: zk.config)
        return try await FailoverSession.run(
            try zk.settings(writers: writers), policies: policies, rpcTimeout: rpcTimeout, body)
    }
}

/// A duration option such as `120s`, `500ms`, `2m` (the policy file syntax).
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        guard let duration = PolicyDuration.parse(argument) else {
            return nil
        }
        self.duration = duration
    }

    var defaultValueDescription: String { PolicyDuration.format(duration) }
}
