import ArgumentParser
import Foundation
import MetaProxyApp
import RouteModel
import Router

/// `meta-proxy route ...`: manage table routes in ZooKeeper.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Manage table routes in ZooKeeper (node <root>/<table>).",
        subcommands: [Set.self, Get.self, List.self, Delete.self, Switch.self, Sync.self]
    )

    /// Runs `body` with a route admin on the ZooKeeper `options` name.
    static func withAdmin<T>(_ options: ZooKeeperOptions, _ body: (RouteAdmin) async throws -> T) async throws -> T {
        try await RouteSession.run(try options.settings(), body)
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or overwrite a table's route.")
        @Argument(help: "Table name.") var table: String
        @Option(help: "Cluster name.") var cluster: String
        @Option(help: "The cluster's MetaServers host:port,...") var meta: String
        @Option(help: "A duplication backup NAME=host:port,... (repeatable, in preference order).")
        var backup: [String] = []
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let route = Route(
                table: table, primary: ClusterRoute(name: cluster, metas: try ClusterArguments.metas(meta)),
                backups: try backup.map(ClusterArguments.backup))
            try RouteAdmin.validate(route)
            let created = try await RouteCommand.withAdmin(zk) { try await $0.set(route) }
            print(json ? RouteOutput.json(route) : "\(created ? "created" : "updated") \(RouteOutput.line(route))")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a table's route.")
        @Argument(help: "Table name.") var table: String
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try TableArgument.check(table)
            let (route, _) = try await RouteCommand.withAdmin(zk) { try await $0.get(table) }
            print(json ? RouteOutput.json(route) : RouteOutput.line(route))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every routed table.")
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let listings = try await RouteCommand.withAdmin(zk) { try await $0.list() }
            if json {
                print(RouteOutput.json(listings))
                return
            }
            for listing in listings {
                print(RouteOutput.line(listing))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a table's route.")
        @Argument(help: "Table name.") var table: String
        @OptionGroup var zk: ZooKeeperOptions

        func run() async throws {
            try TableArgument.check(table)
            try await RouteCommand.withAdmin(zk) { try await $0.delete(table) }
            print("deleted \(table)")
        }
    }

    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-home an existing route to another cluster (compare-and-set: fails if it changed meanwhile).")
        @Argument(help: "Table name.") var table: String
        @Option(help: "New cluster name.") var cluster: String
        @Option(help: "The new cluster's MetaServers host:port,...") var meta: String
        @Option(help: "Replace the backups: NAME=host:port,... (repeatable); default keeps them.")
        var backup: [String] = []
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try TableArgument.check(table)
            let target = ClusterRoute(name: cluster, metas: try ClusterArguments.metas(meta))
            let backups = backup.isEmpty ? nil : try backup.map(ClusterArguments.backup)
            if let backups {
                try RouteAdmin.validate(Route(table: table, primary: target, backups: backups))
            }
            let (before, after) = try await RouteCommand.withAdmin(zk) {
                try await $0.switchRoute(table, to: target, backups: backups)
            }
            print(json ? RouteOutput.json(after) : "switched \(table): \(before.primary.name) -> \(after.primary.name)")
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Route every available table of a cluster (RPC_CM_LIST_APPS) that has no route yet.")
        @Option(help: "Cluster name.") var cluster: String
        @Option(help: "The cluster's MetaServers host:port,...") var meta: String
        @Flag(help: "Also overwrite tables routed to another cluster (asks for confirmation unless --yes).")
        var force = false
        @Flag(name: .customLong("dry-run"), help: "Print the plan, change nothing.") var dryRun = false
        @Option(help: "Timeout of the list-apps query in milliseconds.") var timeout = 5000
        @OptionGroup var confirmation: ConfirmationOptions
        @OptionGroup var zk: ZooKeeperOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let source = ClusterRoute(name: cluster, metas: try ClusterArguments.metas(meta))
            if force && !dryRun {
                try confirmation.confirm("route sync --force overwrites the routes of \(cluster)'s tables routed elsewhere")
            }
            let tables = try await ClusterTables.available(in: source, timeoutMs: timeout)
            let plan = try await RouteCommand.withAdmin(zk) {
                try await $0.sync(tables: tables, cluster: source, force: force, dryRun: dryRun)
            }
            if json {
                print(RouteOutput.json(plan, dryRun: dryRun))
                return
            }
            for item in plan {
                print(RouteOutput.line(item))
            }
            print(RouteOutput.totals(plan, dryRun: dryRun, force: force))
        }
    }
}
