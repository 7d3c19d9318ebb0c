import Logging
import NIOConcurrencyHelpers
import Testing
import ZooKeeper

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test server named by `ZK_ADDRESS` (`host:port`), as `scripts/zk.sh start` prints it.
enum TestServer {
    /// The server address; the test fails (does not skip) without it.
    static func address() throws -> String {
        let value = getenv("ZK_ADDRESS").map { String(cString: $0) }
        return try #require(value, "set ZK_ADDRESS=host:port of a running ZooKeeper (scripts/zk.sh start)")
    }

    /// The host and port of ``address()``.
    static func hostAndPort() throws -> (host: String, port: Int) {
        let address = try address()
        let parts = address.split(separator: ":")
        let port = try #require(parts.count == 2 ? Int(parts[1]) : nil, "ZK_ADDRESS must be host:port")
        return (String(parts[0]), port)
    }

    /// A quiet logger; set `ZK_TEST_LOG_LEVEL` (trace, debug, …) to see the client's and the C client's lines.
    static let logger: Logger = {
        var logger = Logger(label: "ZooKeeperTests") { StreamLogHandler.standardError(label: $0) }
        let level = getenv("ZK_TEST_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) }
        logger.logLevel = level ?? .error
        return logger
    }()

    /// A client of the test server (or of `hosts`), not yet connected.
    static func client(
        hosts: [String]? = nil,
        sessionTimeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(30),
        auth: ZooKeeperAuth? = nil
    ) throws -> ZooKeeperClient {
        let configuration = ZooKeeperConfiguration(
            hosts: try hosts ?? [address()],
            sessionTimeout: sessionTimeout,
            connectTimeout: connectTimeout,
            auth: auth
        )
        return ZooKeeperClient(configuration: configuration, logger: logger)
    }

    /// A connected client of the test server.
    static func connectedClient(auth: ZooKeeperAuth? = nil) async throws -> ZooKeeperClient {
        let client = try client(auth: auth)
        try await client.connect()
        return client
    }

    /// Runs `body` with a connected client and a root path no other test uses, then deletes everything under the
    /// root and closes the client, whether `body` threw or not.
    static func withClient(
        auth: ZooKeeperAuth? = nil,
        _ body: (ZooKeeperClient, String) async throws -> Void
    ) async throws {
        let client = try await connectedClient(auth: auth)
        let root = uniqueRoot()
        do {
            try await body(client, root)
        } catch {
            await client.deleteRecursively(root)
            await client.close()
            throw error
        }
        await client.deleteRecursively(root)
        await client.close()
    }

    /// A root path no other test uses.
    static func uniqueRoot() -> String {
        "/test-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}

extension ZooKeeperClient {
    /// Deletes `path` and everything below it; errors are ignored (cleanup only).
    func deleteRecursively(_ path: String) async {
        if let children = try? await children(path) {
            for child in children {
                await deleteRecursively(path + "/" + child)
            }
        }
        try? await delete(path)
    }
}

/// A list appended to from several tasks or threads.
final class Collector<Element: Sendable>: Sendable {
    private let elements = NIOLockedValueBox<[Element]>([])

    /// Appends `element`.
    /// - Returns: The list so far.
    @discardableResult
    func append(_ element: Element) -> [Element] {
        elements.withLockedValue { elements in
            elements.append(element)
            return elements
        }
    }

    /// The elements so far.
    var all: [Element] { elements.withLockedValue { $0 } }
}

/// Records the calls of a watch callback.
final class WatchRecorder: Sendable {
    private let recorded = Collector<WatchEvent>()

    /// The callback to pass as `watch:`.
    var callback: @Sendable (WatchEvent) -> Void {
        { [recorded] event in recorded.append(event) }
    }

    /// The events so far.
    var events: [WatchEvent] { recorded.all }
}

/// Polls `condition` until it holds or `timeout` passes (generous: the machine is shared and slow).
/// - Returns: Whether it held.
func eventually(
    within timeout: Duration = .seconds(30),
    _ condition: @Sendable () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if await condition() {
            return true
        }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Collects states from `states` until `predicate` accepts the collected list or `timeout` passes.
/// - Returns: The states collected.
func collectStates(
    _ states: ZooKeeperSessionStates,
    within timeout: Duration = .seconds(30),
    until predicate: @escaping @Sendable ([SessionState]) -> Bool
) async -> [SessionState] {
    let collected = Collector<SessionState>()
    await withTaskGroup(of: Void.self) { group in
        group.addTask {
            for await state in states {
                if predicate(collected.append(state)) {
                    return
                }
            }
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
        }
        await group.next()
        group.cancelAll()
    }
    return collected.all
}

extension Array where Element == SessionState {
    /// Whether `sequence` occurs in order (not necessarily adjacent).
    func containsInOrder(_ sequence: [SessionState]) -> Bool {
        var remaining = sequence[...]
        for state in self where state == remaining.first {
            remaining = remaining.dropFirst()
            if remaining.isEmpty {
                return true
            }
        }
        return remaining.isEmpty
    }
}
