import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import NIOCore
import NIOPosix
import Router
import ZooKeeper

/// Runs one `failover` command's action with a ``FailoverAdmin``: connects to ZooKeeper, and to
/// MetaServers and ReplicaServers when the action needs them.
public enum FailoverSession {
    /// Threads of the HTTP client that reads the primaries' duplication lag (Pegasus 2.4/2.5).
    private static let replicaProbeThreads = 4

    /// Runs `body` with an admin, closing every client after (also when `body` throws).
    /// - Parameters:
    ///   - settings: Where ZooKeeper is, the root, the credentials and the failover writers.
    ///   - policies: The failover policies (``loadPolicies(directory:configFile:)``).
    ///   - rpcTimeout: When given, a MetaServer client, and an HTTP client for the primary
    ///     ReplicaServers' duplication lag, are created (planned switches).
    ///   - fleet: Which live instances do not route a table to a cluster yet (the planned switchover's
    ///     await-instances step); default: the instance registry under the root
    ///     (``FailoverControl/RegistryRouteAcknowledgements``).
    ///   - body: The action.
    /// - Throws: ``CommandError`` when ZooKeeper cannot be reached; what `body` throws.
    public static func run<T>(
        _ settings: ProxyConfiguration.ZooKeeperSettings,
        policies: PolicySet,
        rpcTimeout: Duration? = nil,
        fleet: (any FleetRouteAcknowledgements)? = nil,
        _ body: (FailoverAdmin) async throws -> T
    ) async throws -> T {
        let logger = Logger.command("meta-proxy.failover")
        let client = try await CommandZooKeeper.connect(settings, logger: logger)
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
            operatorName: operatorName(),
            identity: .current(operatorName: operatorName(), zooKeeperIdentity: zooKeeperIdentity(settings.auth)),
            fleet: fleet ?? RegistryRouteAcknowledgements(client: client, root: settings.root, logger: logger), acl: acls.routes, failoverACL: acls.failoverState, logger: logger)
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

    /// The ZooKeeper identity of `credentials` for audit records: `digest:<user>`, `<scheme>` for
    /// another scheme (its credential is secret), `anonymous` without.
    static func zooKeeperIdentity(_ credentials: ZooKeeperCredentials?) -> String {
        guard let credentials else { return OperatorIdentity.anonymous }
        return credentials.digestUser.map { "digest:\($0)" } ?? credentials.scheme
    }

    /// The policies of `directory` (`--policies`), else of the configuration file's
    /// `failover.policies_dir`, else of `./policies`; a directory that was not named explicitly and
    /// does not exist gives no policies (every table: manual, defaults).
    /// - Parameters:
    ///   - directory: The directory named on the command line, if any.
    ///   - configFile: The configuration file named on the command line, if any.
    /// - Throws: ``ConfigError`` for an invalid configuration file, ``CommandError`` for an invalid policy.
    public static func loadPolicies(directory: String?, configFile: String?) throws -> PolicySet {
        var directory = directory
        let explicit = directory != nil
        if directory == nil, let configFile {
            directory = try ProxyConfiguration.load(file: configFile).failover.policiesDirectory
        }
        let path = directory ?? "policies"
        if !explicit && !FileManager.default.fileExists(atPath: path) {
            return .empty
        }
        do {
            return try PolicySet.load(directory: path, registry: .builtIn)
        } catch {
            throw CommandError("policies: \(error)")
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
