import FailoverPolicy
import Foundation
import PegasusWire
import RouteModel
import Router

/// What `meta-proxy check` does (like `nginx -t`, `haproxy -c`): validates a configuration file, a
/// routes file, a policy directory and, when asked, the route nodes under a ZooKeeper root, and reports
/// what it found and every problem with the file (or node) and key at fault. It never starts a
/// listener and never writes.
public enum ConfigCheck {
    /// What to check.
    public struct Request: Sendable {
        /// The configuration file (`--config`); its `routes_file` and `failover.policies_dir` are checked
        /// too unless ``routesFile`` / ``policiesDirectory`` replace them.
        public var configFile: String?
        /// A routes file (`--routes`).
        public var routesFile: String?
        /// A policy directory (`--policies`).
        public var policiesDirectory: String?
        /// ZooKeeper servers whose route nodes to check (`--zk`); `nil`: no ZooKeeper check.
        public var zookeeperAddresses: [Endpoint]?
        /// The root of the route nodes (`--root`); else the configuration's `zookeeper.root`, else `/pegasus`.
        public var zookeeperRoot: String?
        /// How long to wait for a ZooKeeper session (`--zk-timeout`); else the configuration's (10 s).
        public var zookeeperTimeout: Duration?

        /// A request; every part optional.
        public init(
            configFile: String? = nil, routesFile: String? = nil, policiesDirectory: String? = nil,
            zookeeperAddresses: [Endpoint]? = nil, zookeeperRoot: String? = nil, zookeeperTimeout: Duration? = nil
        ) {
            self.configFile = configFile
            self.routesFile = routesFile
            self.policiesDirectory = policiesDirectory
            self.zookeeperAddresses = zookeeperAddresses
            self.zookeeperRoot = zookeeperRoot
            self.zookeeperTimeout = zookeeperTimeout
        }

        /// Whether the request names nothing to check.
        public var isEmpty: Bool {
            configFile == nil && routesFile == nil && policiesDirectory == nil && zookeeperAddresses == nil
        }
    }

    /// Checks everything `request` names.
    public static func run(_ request: Request) async -> CheckReport {
        var report = CheckReport()
        var configuration: ProxyConfiguration?
        if let file = request.configFile {
            let (loaded, configReport) = checkConfiguration(file: file)
            configuration = loaded
            report.merge(configReport)
        }
        if let routes = request.routesFile ?? configuration?.routesFile {
            report.merge(checkRoutesFile(routes))
        }
        if let policies = request.policiesDirectory ?? configuration?.failover.policiesDirectory {
            report.merge(checkPolicies(policies))
        }
        if let addresses = request.zookeeperAddresses {
            var settings = configuration?.zookeeper ?? ProxyConfiguration.ZooKeeperSettings()
            settings.addresses = addresses
            if let root = request.zookeeperRoot { settings.root = root }
            if let timeout = request.zookeeperTimeout { settings.commandConnectTimeout = timeout }
            report.merge(await checkRouteNodes(settings))
        }
        return report
    }

    /// Loads and validates a configuration file.
    /// - Returns: The configuration (`nil` when it does not load) and what was found.
    static func checkConfiguration(file: String) -> (ProxyConfiguration?, CheckReport) {
        var report = CheckReport()
        let configuration: ProxyConfiguration
        do {
            configuration = try ProxyConfiguration.load(file: file)
        } catch {
            report.problems.append(.init(source: error.file ?? file, key: error.keyPath, message: error.reason))
            return (nil, report)
        }
        let source: String
        switch configuration.routeSource {
        case .zookeeper(let settings): source = "ZooKeeper \(settings.connectString) root \(settings.root)"
        case .file(let path): source = "routes file \(path)"
        case nil: source = "none"
        }
        report.found.append(
            "config \(file): route source \(source), listen \(configuration.server.listen), "
                + "admin \(configuration.server.adminListen), policies \(configuration.failover.policiesDirectory)")
        report.warnings += configuration.warnings.map { "\(file): \($0)" }
        if let stateFile = configuration.failover.stateFile {
            let directory = (stateFile as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory)
                || !isDirectory.boolValue
            {
                report.problems.append(
                    .init(
                        source: file, key: "failover.state_file",
                        message: "the directory \(directory) of \(stateFile) does not exist"))
            }
        }
        return (configuration, report)
    }

    /// Parses a routes file and checks its routes against each other (``RouteConsistency``).
    static func checkRoutesFile(_ path: String) -> CheckReport {
        var report = CheckReport()
        guard let data = FileManager.default.contents(atPath: path) else {
            report.problems.append(.init(source: path, message: "cannot read the routes file"))
            return report
        }
        let routes: [String: Route]
        do throws(RouteError) {
            routes = try RouteFile.parse(Array(data), file: path)
        } catch {
            report.problems.append(problem(error, source: path))
            return report
        }
        let list = Array(routes.values)
        report.found.append("routes \(path): \(RouteConsistency.summary(list))")
        report.problems += RouteConsistency.problems(list, source: { _ in path }, keyPrefix: { "tables.\($0)." })
        return report
    }

    /// Parses every policy file of a directory on its own (so each bad file is reported), then checks
    /// them together (a table claimed twice, ambiguous patterns). A directory that does not exist is a
    /// warning: `serve` then gives every table the built-in manual policy.
    static func checkPolicies(_ directory: String) -> CheckReport {
        var report = CheckReport()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            report.warnings.append("policies \(directory): no such directory; every table uses the built-in manual policy")
            return report
        }
        guard isDirectory.boolValue, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            report.problems.append(.init(source: directory, message: "cannot list the policy directory"))
            return report
        }
        var policies: [Policy] = []
        var problems: [CheckReport.Problem] = []
        for name in names.sorted() where name.hasSuffix(".yaml") && !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append(.init(source: path, message: "cannot read the policy file"))
                continue
            }
            guard let yaml = String(data: data, encoding: .utf8) else {
                problems.append(.init(source: path, message: "not UTF-8"))
                continue
            }
            do throws(PolicyError) {
                policies.append(try Policy.parse(yaml: yaml, file: path, registry: .builtIn))
            } catch {
                problems.append(.init(source: error.file ?? path, key: error.keyPath, message: error.message))
            }
        }
        if problems.isEmpty {
            do throws(PolicyError) {
                _ = try PolicySet(policies: policies)
            } catch {
                problems.append(.init(source: error.file ?? directory, key: error.keyPath, message: error.message))
            }
        }
        let files = policies.map {
            "\(($0.spec.file as NSString).lastPathComponent) (\($0.spec.kind): \($0.spec.tables.joined(separator: ", ")))"
        }
        report.found.append(
            "policies \(directory): \(RouteConsistency.count(policies.count, "policy file"))"
                + (files.isEmpty ? "" : ": " + files.joined(separator: "; ")))
        report.problems += problems
        return report
    }

    /// Reads every route node under `settings.root`: each must decode, and the routes must agree with
    /// each other (``RouteConsistency``). ZooKeeper that cannot be reached is a problem too.
    static func checkRouteNodes(_ settings: ProxyConfiguration.ZooKeeperSettings) async -> CheckReport {
        var report = CheckReport()
        let where_ = "ZooKeeper \(settings.connectString) root \(settings.root)"
        let listings: [RouteAdmin.Listing]
        let paths: (String) -> String
        let indexed: Set<String>?
        let indexPath = RouteAdmin.protectedIndex(root: RouteAdmin.normalizedRoot(settings.root))
        do {
            (listings, paths, indexed) = try await RouteSession.run(settings) { admin in
                (try await admin.list(), { admin.path(of: $0) }, try await admin.protectedIndexEntries())
            }
        } catch {
            report.problems.append(.init(source: where_, message: "\(error)"))
            return report
        }
        var routes: [Route] = []
        for listing in listings {
            switch listing {
            case .route(let route):
                routes.append(route)
            case .invalid(let table, let error):
                report.problems.append(problem(error, source: paths(table)))
            }
        }
        let invalid = listings.count - routes.count
        report.found.append(
            "\(where_): \(RouteConsistency.count(listings.count, "route node")), \(invalid) invalid; "
                + RouteConsistency.summary(routes))
        report.problems += RouteConsistency.problems(routes, source: paths, keyPrefix: { _ in "" })
        report.warnings += indexDrift(routes: routes, indexed: indexed, indexPath: indexPath)
        return report
    }

    /// Where the protected-table index disagrees with the route nodes: protected routes without an entry
    /// (their failover runs once the decider's scan adds it) and entries of tables that are not protected.
    /// Warnings: the decider's reconciliation scan repairs both.
    static func indexDrift(routes: [Route], indexed: Set<String>?, indexPath: String) -> [String] {
        let protected = Set(routes.filter { !$0.backups.isEmpty }.map(\.table))
        let indexed = indexed ?? []
        var warnings: [String] = []
        let missing = protected.subtracting(indexed).sorted()
        if !missing.isEmpty {
            warnings.append(
                "protected-table index \(indexPath): \(RouteConsistency.count(missing.count, "route")) with backups not indexed "
                    + "(no failover until the decider's scan adds them, or `meta-proxy route set` rewrites them): "
                    + RouteConsistency.abbreviated(missing))
        }
        let stale = indexed.subtracting(protected).sorted()
        if !stale.isEmpty {
            warnings.append(
                "protected-table index \(indexPath): \(stale.count) stale entr\(stale.count == 1 ? "y" : "ies")"
                    + " (no route node, or a route without backups; the decider's scan removes them): " + RouteConsistency.abbreviated(stale))
        }
        return warnings
    }

    /// A route error as a problem: its source, key path and reason (with the underlying error).
    private static func problem(_ error: RouteError, source: String) -> CheckReport.Problem {
        var message = error.reason
        if let underlying = error.underlying { message += ": \(underlying)" }
        let key = error.keyPath.flatMap { $0.isEmpty ? nil : $0 }
        return .init(source: error.source ?? source, key: key, message: message)
    }
}
