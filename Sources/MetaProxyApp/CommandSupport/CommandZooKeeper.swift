import Logging
import PegasusWire
import ZooKeeper

/// The ZooKeeper session of an operator command (`route ...`, `failover ...`).
public enum CommandZooKeeper {
    /// A connected client for `settings` (the caller closes it). Nodes it creates get the route ACL
    /// unless the caller passes another (``ZooKeeperNodeACLs``).
    /// - Throws: ``CommandError`` (kind ``CommandFailure/Kind/unavailable``) when the ensemble cannot be reached within
    ///   ``ProxyConfiguration/ZooKeeperSettings/commandConnectTimeout`` (`--zk-timeout`).
    public static func connect(
        _ settings: ProxyConfiguration.ZooKeeperSettings, logger: Logger
    ) async throws -> ZooKeeperClient {
        let client = ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: settings.addresses.map(\.description),
                sessionTimeout: max(settings.sessionTimeout, .seconds(4)),
                connectTimeout: settings.commandConnectTimeout,
                auth: settings.auth?.clientAuth,
                defaultACL: ZooKeeperNodeACLs(settings).routes),
            logger: logger)
        do {
            try await client.connect()
        } catch {
            await client.close()
            let denied = error.code == .authFailed || error.code == .noAuth
            throw CommandError(
                "cannot connect to ZooKeeper \(settings.connectString): \(CommandFailure.describe(error))",
                kind: denied ? .permissionDenied : .unavailable)
        }
        return client
    }
}
