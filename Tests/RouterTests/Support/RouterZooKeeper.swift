import Foundation
import Logging
import Testing
import ZooKeeper

@testable import Router

/// The shared test ZooKeeper named by `ZK_ADDRESS` (`host:port`, as `scripts/zk.sh start` prints it), and
/// helpers around it.
enum RouterZooKeeper {
    /// The server address; the test fails (does not skip) without it.
    static func address() throws -> String {
        let value = ProcessInfo.processInfo.environment["ZK_ADDRESS"]
        return try #require(value, "set ZK_ADDRESS=host:port of a running ZooKeeper (scripts/zk.sh start)")
    }

    /// A logger that drops everything.
    static let quiet = Logger(label: "router-tests") { _ in SwiftLogNoOpLogHandler() }

    /// A client of `hosts` (default: the shared server), not yet connected.
    static func client(hosts: [String]? = nil, sessionTimeout: Duration = .seconds(30)) throws -> ZooKeeperClient {
        ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: try hosts ?? [address()], sessionTimeout: sessionTimeout, connectTimeout: .seconds(30)),
            logger: quiet)
    }

    /// Runs `body` with a connected client of the shared server and a root no other test uses, then
    /// deletes the root's tree and closes the client.
    static func withRoot(_ body: (ZooKeeperClient, String) async throws -> Void) async throws {
        let client = try client()
        try await client.connect()
        let root = "/router-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
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
    func deleteTree(_ path: String) async {
        for child in (try? await children(path)) ?? [] {
            await deleteTree(path + "/" + child)
        }
        try? await delete(path)
    }

    /// Writes `json` to `path`, creating the node if needed.
    func put(_ path: String, _ json: String) async throws {
        do throws(ZooKeeperError) {
            try await create(path, data: Array(json.utf8), createParents: true)
        } catch {
            guard error.code == .nodeExists else { throw error }
            _ = try await set(path, data: Array(json.utf8))
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes (generous: the machine is shared and slow).
/// - Returns: Whether it held.
func eventually(within timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// A route JSON in the RFC layout.
func rfcRoute(_ cluster: String, _ metas: [String]) -> String {
    "{\"cluster\":\"\(cluster)\",\"meta-addrs\":[\(metas.map { "\"\($0)\"" }.joined(separator: ","))]}"
}
