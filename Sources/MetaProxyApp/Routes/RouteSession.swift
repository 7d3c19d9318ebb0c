import Logging
import Router
import ZooKeeper

/// Runs one `route` command's action with a ``RouteAdmin`` on ZooKeeper.
public enum RouteSession {
    /// Connects to ZooKeeper with `settings`, runs `body` with a route admin on `settings.root`, and
    /// closes the client after (also when `body` throws).
    /// - Throws: ``CommandError`` when ZooKeeper cannot be reached; what `body` throws.
    public static func run<T>(
        _ settings: ProxyConfiguration.ZooKeeperSettings, _ body: (RouteAdmin) async throws -> T
    ) async throws -> T {
        let client = try await CommandZooKeeper.connect(settings, logger: .command("meta-proxy.route"))
        let admin = RouteAdmin(client: client, root: settings.root)
        do {
            let result = try await body(admin)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
