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

    /// The host and port of ``address()``.
    public static func hostAndPort() throws -> (host: String, port: Int) {
        let address = try address()
        let parts = address.split(separator: ":")
        let port = try #require(parts.count == 2 ? Int(parts[1]) : nil, "ZK_ADDRESS must be host:port")
        return (String(parts[0]), port)
    }

    /// The clients' default logger: quiet; set `ZK_TEST_LOG_LEVEL` (trace, debug, …) to see the
    /// client's and the C client's lines.
    public static let logger = TestLogging.logger(label: "zookeeper-tests", levelFrom: "ZK_TEST_LOG_LEVEL")

    /// A client of `hosts` (default: the shared server), not yet connected.
    public static func client(
        hosts: [String]? = nil,
        sessionTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(30),
        auth: ZooKeeperAuth? = nil,
        logger: Logger = logger
    ) throws -> ZooKeeperClient {
        ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: try hosts ?? [address()], sessionTimeout: sessionTimeout, connectTimeout: connectTimeout,
                auth: auth),
            logger: logger)
    }

    /// A connected client of the shared server.
    public static func connectedClient(
        sessionTimeout: Duration = .seconds(4), auth: ZooKeeperAuth? = nil, logger: Logger = logger
    ) async throws -> ZooKeeperClient {
        let client = try client(sessionTimeout: sessionTimeout, auth: auth, logger: logger)
        try await client.connect()
        return client
    }

    /// A root path no other test uses, e.g. `/router-test-3f9a…`.
    public static func uniqueRoot(prefix: String = "test") -> String {
        "/\(prefix)-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    /// Runs `body` with a connected client of the shared server and a root no other test uses (not
    /// created), then deletes the root's tree and closes the client, whether `body` threw or not.
    public static func withClient(
        sessionTimeout: Duration = .seconds(10),
        auth: ZooKeeperAuth? = nil,
        prefix: String = "test",
        logger: Logger = logger,
        _ body: (ZooKeeperClient, String) async throws -> Void
    ) async throws {
        let client = try await connectedClient(sessionTimeout: sessionTimeout, auth: auth, logger: logger)
        let root = uniqueRoot(prefix: prefix)
        do {
            try await body(client, root)
        } catch {
            await client.deleteTree(root)
            await client.close()
            throw error
        }
        await client.deleteTree(root)
        await client.close()
    }

    /// Runs `body` with a connected client of the shared server and a root no other test uses,
    /// created first, then deletes the root's tree and closes the client.
    public static func withRoot(
        prefix: String = "router-test", _ body: (ZooKeeperClient, String) async throws -> Void
    ) async throws {
        try await withClient(sessionTimeout: .seconds(30), prefix: prefix) { client, root in
            try await client.create(root)
            try await body(client, root)
        }
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
