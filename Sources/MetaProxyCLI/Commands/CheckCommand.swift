import ArgumentParser
import MetaProxyApp
import PegasusWire

/// `meta-proxy check`: validates a configuration file, a routes file, a policy directory and, with
/// `--zk`, the route nodes under a ZooKeeper root, without serving (like `nginx -t`, `haproxy -c`).
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a configuration file, routes file, policy directory and ZooKeeper routes.",
        discussion: """
            Prints what it found (files, counts, tables, clusters, policies) and every problem as \
            "problem: <file or node>: <key>: <what>". With --config, the routes file and the policy \
            directory it names are checked too (--routes and --policies replace them). With --zk, the \
            route nodes under --root (else zookeeper.root of --config, else /pegasus) must each decode \
            and agree with each other (one cluster name, one set of MetaServers). Exit status: 0 when \
            everything is fine, 65 when there is any problem (ZooKeeper unreachable included), 64 for a \
            usage error.
            """
    )

    @Option(name: .long, help: "meta-proxy configuration file (YAML).")
    var config: String?

    @Option(name: .long, help: "Routes file (else routes_file of --config).")
    var routes: String?

    @Option(name: .long, help: "Policy directory (else failover.policies_dir of --config).")
    var policies: String?

    @Option(name: .long, help: "ZooKeeper servers host:port,... whose route nodes to check.")
    var zk: String?

    @Option(name: [.customLong("root"), .customLong("zk-root")], help: "Root of the route nodes (with --zk).")
    var root: String?

    @Option(name: .customLong("zk-timeout"), help: "Seconds to wait for a ZooKeeper session (default 10).")
    var zkTimeout: Double?

    func run() async throws {
        var request = ConfigCheck.Request(configFile: config, routesFile: routes, policiesDirectory: policies)
        if let zk {
            do {
                request.zookeeperAddresses = try zk.split(separator: ",").map { try Endpoint(parsing: String($0)) }
            } catch {
                throw ValidationError("--zk: \(error)")
            }
            guard request.zookeeperAddresses?.isEmpty == false else { throw ValidationError("--zk: give host:port,...") }
            CommandLogging.configureZooKeeperLibrary(verbose: false)
        } else if root != nil {
            throw ValidationError("--root needs --zk")
        }
        request.zookeeperRoot = root
        if let zkTimeout {
            guard zkTimeout.isFinite, zkTimeout > 0, zkTimeout <= 3600 else {
                throw ValidationError("--zk-timeout: expected seconds between 0 and 3600, got \(zkTimeout)")
            }
            request.zookeeperTimeout = .milliseconds(Int64((zkTimeout * 1000).rounded(.up)))
        }
        guard !request.isEmpty else {
            throw ValidationError("nothing to check: pass --config FILE, --routes FILE, --policies DIR or --zk HOST:PORT")
        }
        let report = await ConfigCheck.run(request)
        print(report.text)
        if !report.isFine { throw ExitCode(65) }
    }
}
