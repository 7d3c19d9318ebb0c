import ArgumentParser
import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import MetaProxyApp
import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import Router
import ZooKeeper

/// Options every `failover` subcommand shares: where ZooKeeper is, the policy directory, JSON output.
struct FailoverOptions: ParsableArguments {
    @OptionGroup var zk: ZooKeeperOptions

    @Option(help: "Policy directory (else failover.policies_dir of --config, else ./policies when it exists).")
    var policies: String?

    @Flag(help: "Print JSON.") var json = false
}

/// Connects to ZooKeeper, loads the policies and runs one action with a ``FailoverAdmin``.
enum FailoverSession {
    /// Threads of the HTTP client that reads the primaries' duplication lag (Pegasus 2.4/2.5).
    private static let replicaProbeThreads = 4

    /// Runs `body` with an admin; a MetaServer client, and an HTTP client for the primary
    /// ReplicaServers' duplication lag, are created when `rpcTimeout` is given.
    static func run<T>(
        _ options: FailoverOptions,
        rpcTimeout: Duration? = nil,
        _ body: (FailoverAdmin) async throws -> T
    ) async throws -> T {
        let policies = try loadPolicies(options)
        let logger = cliLogger("meta-proxy.failover")
        let (client, settings) = try await options.zk.connect(logger: logger)
        let upstream = rpcTimeout.map { timeout in
            UpstreamPool(
                group: MultiThreadedEventLoopGroup.singleton,
                settings: UpstreamSettings(attemptTimeout: .nanoseconds(max(timeout.nanoseconds / 2, 1_000_000))),
                logger: logger)
        }
        let threadPool = rpcTimeout.map { _ in
            let pool = NIOThreadPool(numberOfThreads: replicaProbeThreads)
            pool.start()
            return pool
        }
        let acls = ZooKeeperNodeACLs(settings)
        let admin = FailoverAdmin(
            client: client, root: settings.root, policies: policies, upstream: upstream,
            replicaLag: threadPool.map { ReplicaLagReader(client: CurlHTTPClient(threadPool: $0)) },
            operatorName: operatorName(), acl: acls.routes, failoverACL: acls.failoverState, logger: logger)
        do {
            let result = try await body(admin)
            await close(client, upstream, threadPool)
            return result
        } catch {
            await close(client, upstream, threadPool)
            throw error
        }
    }

    /// Closes the clients and stops the HTTP client's threads (after its last request: `body` returned).
    private static func close(_ client: ZooKeeperClient, _ upstream: UpstreamPool?, _ threadPool: NIOThreadPool?) async {
        await upstream?.close()
        try? await threadPool?.shutdownGracefully()
        await client.close()
    }

    /// `cli:<user>@<host>`, recorded as `decided_by`.
    static func operatorName() -> String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        return "cli:\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// `--policies`, else the config file's `failover.policies_dir`, else `./policies`; a directory
    /// that was not named explicitly and does not exist gives no policies (every table: manual, defaults).
    static func loadPolicies(_ options: FailoverOptions) throws -> PolicySet {
        var directory = options.policies
        let explicit = directory != nil
        if directory == nil, let config = options.zk.config {
            directory = try ProxyConfiguration.load(file: config).failover.policiesDirectory
        }
        let path = directory ?? "policies"
        if !explicit && !FileManager.default.fileExists(atPath: path) {
            return .empty
        }
        do {
            return try PolicySet.load(directory: path, registry: .builtIn)
        } catch {
            throw CLIError("policies: \(error)")
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
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
