import ArgumentParser
import FailoverPolicy
import Foundation
import HealthProbe
import NIOPosix
import Router
import ZooKeeper

/// `meta-proxy failover ...`: inspect and steer failover (DR drills, manual switches).
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Inspect and steer failover: status, switch, back, pause, resume.",
        subcommands: [Status.self, Switch.self, Back.self, Pause.self, Resume.self]
    )

    /// Runs `body` with a connected failover admin, closing the client after.
    static func withAdmin<T>(_ options: ZooKeeperOptions, _ body: (FailoverAdmin) async throws -> T) async throws -> T {
        let (client, settings) = try await options.connect(logger: cliLogger("meta-proxy.failover"))
        do {
            let result = try await body(FailoverAdmin(client: client, root: settings.root))
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// Who is acting, for the decision record: `cli:<user>@<host>`.
    static var operatorID: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
        return "cli:\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declared vs effective route, cluster health, lag, decider and recent decisions.")
        @Argument(help: "A table; without one, every table that has backups.") var table: String?
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (overview, statuses) = try await FailoverCommand.withAdmin(zk) { admin in
                let statuses: [FailoverAdmin.TableStatus]
                if let table {
                    statuses = [try await admin.status(of: table)]
                } else {
                    statuses = try await admin.statusOfProtectedTables()
                }
                return (try await admin.overview(), statuses)
            }
            print(json ? FailoverOutput.json(overview, statuses) : FailoverOutput.text(overview, statuses, detailed: table != nil))
        }
    }

    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch a table to a backup cluster (a DR drill or a manual failover), guarded by its policy.")
        @Argument(help: "Table name.") var table: String
        @Option(help: "The cluster to serve the table (a backup, or the primary).") var to: String
        @Flag(help: "Switch even if the policy's guard (lag, health) refuses.") var force = false
        @Flag(help: "Record the switch as a real failover instead of a drill.") var failover = false
        @Flag(help: "Zero-loss switchover with the primary alive: block writes, wait for duplication, switch, reconfig.")
        var planned = false
        @Option(name: .customLong("max-wait"), help: "With --planned: seconds to wait for duplication to drain.")
        var maxWait = 120
        @Option(help: "Policy directory (the table's policy supplies the guard).") var policies = "policies"
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if planned {
                let pool = UpstreamPool(
                    group: MultiThreadedEventLoopGroup.singleton, settings: UpstreamSettings(),
                    logger: cliLogger("meta-proxy.failover"))
                let outcome: FailoverAdmin.SwitchOutcome
                do {
                    outcome = try await FailoverCommand.withAdmin(zk) { admin in
                        try await admin.plannedSwitch(
                            table, to: to, upstreams: pool, maxWait: .seconds(maxWait), by: FailoverCommand.operatorID,
                            progress: { step in
                                guard !json else { return }
                                print(step)
                                fflush(nil)  // progress must reach a pipe as it happens
                            })
                    }
                } catch {
                    await pool.close()
                    throw error
                }
                await pool.close()
                print(json ? FailoverOutput.json(outcome) : FailoverOutput.text(outcome))
                return
            }
            let policy = try FailoverCommand.policy(for: table, directory: policies)
            let outcome = try await FailoverCommand.withAdmin(zk) { admin in
                try await admin.switchTable(
                    table, to: to, policy: policy, force: force, mode: failover ? .failover : .drill,
                    by: FailoverCommand.operatorID)
            }
            print(json ? FailoverOutput.json(outcome) : FailoverOutput.text(outcome))
        }
    }

    struct Back: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch a table back to its declared primary (guarded like switch).")
        @Argument(help: "Table name.") var table: String
        @Flag(help: "Switch back even if the policy's failback guard refuses.") var force = false
        @Option(help: "Policy directory (the table's policy supplies the guard).") var policies = "policies"
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let policy = try FailoverCommand.policy(for: table, directory: policies)
            let outcome = try await FailoverCommand.withAdmin(zk) { admin in
                let primary = try await admin.status(of: table).route.primary.name
                return try await admin.switchTable(
                    table, to: primary, policy: policy, force: force, by: FailoverCommand.operatorID)
            }
            print(json ? FailoverOutput.json(outcome) : FailoverOutput.text(outcome))
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Freeze automatic decisions for a table, or for every table.")
        @Argument(help: "A table; without one, every table.") var table: String?
        @Option(help: "Why (kept with a global pause).") var reason = ""
        @OptionGroup var zk: ZooKeeperOptions

        func run() async throws {
            try await FailoverCommand.withAdmin(zk) { admin in
                if let table {
                    try await admin.setPaused(true, table: table, by: FailoverCommand.operatorID)
                } else {
                    try await admin.setGloballyPaused(true, by: FailoverCommand.operatorID, reason: reason)
                }
            }
            print("paused \(table ?? "every table")")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume automatic decisions.")
        @Argument(help: "A table; without one, lift the global pause.") var table: String?
        @OptionGroup var zk: ZooKeeperOptions

        func run() async throws {
            try await FailoverCommand.withAdmin(zk) { admin in
                if let table {
                    try await admin.setPaused(false, table: table, by: FailoverCommand.operatorID)
                } else {
                    try await admin.setGloballyPaused(false, by: FailoverCommand.operatorID, reason: "")
                }
            }
            print("resumed \(table ?? "every table")")
        }
    }

    /// The policy of `table` from `directory` (the built-in manual default when it has no files).
    static func policy(for table: String, directory: String) throws -> Policy {
        guard FileManager.default.fileExists(atPath: directory) else { return Policy.builtInDefault }
        return try PolicySet.load(directory: directory, registry: .builtIn).policy(for: table)
    }
}
