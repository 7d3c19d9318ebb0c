import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Testing
import ZooKeeper

/// A ZooKeeper server of one test, started with `scripts/zk.sh` on a free loopback port, so that
/// the test may stop and restart it without touching the shared server.
public final class ThrowawayZooKeeper: Sendable {
    /// The server's port.
    public let port: Int
    /// Its state directory (data, pid, logs).
    public let directory: String

    /// `127.0.0.1:port`.
    public var address: String { "127.0.0.1:\(port)" }

    private init(port: Int, directory: String) {
        self.port = port
        self.directory = directory
    }

    /// Starts a server on a free port and waits until it serves.
    public static func start() async throws -> ThrowawayZooKeeper {
        let server = ThrowawayZooKeeper(
            port: try await TestNetwork.freePort(), directory: NSTemporaryDirectory() + "test-zk-" + UUID().uuidString)
        try await server.restart()
        return server
    }

    /// Starts the server again (same port, same data) and waits until it serves.
    public func restart() async throws {
        let output = try await Self.script(["start", "\(port)", directory])
        guard output.contains("127.0.0.1:\(port)") else {
            throw ScriptError(message: "zk.sh start printed \(output)")
        }
    }

    /// Stops the server, keeping its data, and waits until its port refuses connections.
    public func kill() async throws {
        let text = try String(contentsOfFile: directory + "/pid", encoding: .utf8)
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        _ = Foundation.kill(pid, SIGTERM)
        let port = self.port
        _ = await eventually(every: .milliseconds(50)) { await !TestNetwork.accepts(port: port) }
    }

    /// Runs `body` with a fresh server and a client of it (not connected yet: `body` connects when it
    /// wants), then closes the client and stops the server, whether `body` returns or throws.
    public static func withClient(
        sessionTimeout: Duration = .seconds(40),
        _ body: (ThrowawayZooKeeper, ZooKeeperClient) async throws -> Void
    ) async throws {
        let server = try await start()
        let outcome: Result<Void, any Error>
        do {
            let client = try TestZooKeeper.client(hosts: [server.address], sessionTimeout: sessionTimeout)
            do {
                try await body(server, client)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            await client.close()
        } catch {
            outcome = .failure(error)
        }
        await server.stop()
        try outcome.get()
    }

    /// Stops the server and removes its directory.
    public func stop() async {
        _ = try? await Self.script(["stop", directory])
    }

    /// `zk.sh` failed or printed something unexpected.
    public struct ScriptError: Error, CustomStringConvertible {
        /// What went wrong, with the script's output.
        public var message: String
        public var description: String { message }
    }

    /// `scripts/zk.sh`: `ZK_SCRIPT` if set, otherwise found from this file's path.
    private static let scriptPath =
        ProcessInfo.processInfo.environment["ZK_SCRIPT"]
        ?? URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/zk.sh").path

    /// Runs `zk.sh` with `arguments` and returns what it printed.
    ///
    /// Spawned and reaped by hand (`posix_spawn`, `waitpid` on a dispatch thread): Foundation's
    /// `Process` did not reap the script in the test process. The output goes to a file, not a pipe:
    /// the server the script leaves running inherits the descriptor.
    private static func script(_ arguments: [String]) async throws -> String {
        let outputPath = NSTemporaryDirectory() + "zk-sh-" + UUID().uuidString + ".log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ["/bin/bash", scriptPath] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        // The calling thread (a pool thread) blocks most signals, and a spawned process inherits
        // that mask: the script's `timeout` and later `kill`s could then not stop what it started.
        // Start it with no signal blocked and the termination signals at their defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGALRM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, &attributes, &cArguments, environ)
        guard spawned == 0 else { throw ScriptError(message: "cannot run zk.sh: errno \(spawned)") }
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1, errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        let printed = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ScriptError(message: "zk.sh \(arguments) exited \(status): \(printed)") }
        return printed
    }
}
