import Foundation
import Logging
import Testing
import ZooKeeper

/// The shared test ZooKeeper named by `ZK_ADDRESS` (`host:port`, as `scripts/zk.sh start` prints it), and
/// helpers around it.
public enum TestZooKeeper {
    /// The server address; the test fails (does not skip) without it.
    public static func address() throws -> String {
        let value = ProcessInfo.processInfo.environment["ZK_ADDRESS"]
        return try #require(value, "set ZK_ADDRESS=host:port of a running ZooKeeper (scripts/zk.sh start)")
    }

    /// A client of `hosts` (default: the shared server), not yet connected.
    public static func client(
        hosts: [String]? = nil, sessionTimeout: Duration = .seconds(30), logger: Logger = TestLogging.quiet
    ) throws -> ZooKeeperClient {
        ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: try hosts ?? [address()], sessionTimeout: sessionTimeout, connectTimeout: .seconds(30)),
            logger: logger)
    }

    /// A connected client of the shared server.
    public static func connectedClient(
        sessionTimeout: Duration = .seconds(4), logger: Logger = TestLogging.quiet
    ) async throws -> ZooKeeperClient {
        let client = try client(sessionTimeout: sessionTimeout, logger: logger)
        try await client.connect()
        return client
    }

    /// A root path no other test uses, e.g. `/router-test-3f9a…`.
    public static func uniqueRoot(prefix: String = "test") -> String {
        "/\(prefix)-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// Runs `body` with a connected client of the shared server and a root no other test uses, then
    /// deletes the root's tree and closes the client.
    public static func withRoot(
        prefix: String = "router-test", _ body: (ZooKeeperClient, String) async throws -> Void
    ) async throws {
        let client = try client()
        try await client.connect()
        let root = uniqueRoot(prefix: prefix)
        do {
            try await client.create(root)
            try await body(client, root)
        } catch {
            await client.deleteTree(root)
            await client.close()
            throw error
        }
        await client.deleteTree(root)
        await client.close()
    }
}

extension ZooKeeperClient {
    /// Deletes `path` and everything below it; errors are ignored (cleanup only).
    public func deleteTree(_ path: String) async {
        for child in (try? await children(path)) ?? [] {
            await deleteTree(path + "/" + child)
        }
        try? await delete(path)
    }

    /// Writes `json` to `path`, creating the node (and its parents) if needed.
    public func put(_ path: String, _ json: String) async throws {
        do throws(ZooKeeperError) {
            try await create(path, data: Array(json.utf8), createParents: true)
        } catch {
            guard error.code == .nodeExists else { throw error }
            _ = try await set(path, data: Array(json.utf8))
        }
    }
}
