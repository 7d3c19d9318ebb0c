import Foundation
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import MetaProxyApp

@Suite("meta-proxy check")
struct ConfigCheckTests {
    static let policy = "name: default\ntables: [\"*\"]\nkind: manual\n"

    @Test("a good configuration, routes file and policy directory: what was found, no problem")
    func fine() async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write(
            "routes.yaml",
            """
            tables:
              orders: { cluster: a, meta-addrs: ["127.0.0.1:1001"], backups: [{ cluster: b, meta-addrs: ["127.0.0.1:2001"] }] }
              users: { cluster: a, meta-addrs: ["127.0.0.1:1001"] }
            """)
        try FileManager.default.createDirectory(atPath: directory.path + "/policies", withIntermediateDirectories: true)
        try directory.write("policies/default.yaml", Self.policy)
        let config = try directory.write("proxy.yaml", "routes_file: routes.yaml\n")
        let report = await ConfigCheck.run(.init(configFile: config))
        #expect(report.problems == [])
        #expect(report.isFine)
        #expect(report.found.count == 3)
        // The configuration resolves its relative paths (one slash, where the temporary directory has two).
        let base = directory.path.replacingOccurrences(of: "//", with: "/")
        #expect(report.found[0].hasPrefix("config \(config): route source routes file \(base)/routes.yaml"))
        #expect(report.found[1] == "routes \(base)/routes.yaml: 2 tables (orders, users), 2 clusters (a, b), 1 with backups")
        #expect(report.found[2] == "policies \(base)/policies: 1 policy file: default.yaml (manual: *)")
        #expect(report.text.hasSuffix("\ncheck passed"))
    }

    @Test("a bad configuration key is a problem naming the file and the key; the rest is not checked from it")
    func badConfiguration() async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let config = try directory.write("proxy.yaml", "routes_file: routes.yaml\nserver: { max_connections: lots }\n")
        let report = await ConfigCheck.run(.init(configFile: config))
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.source == config)
        #expect(report.problems.first?.key == "server.max_connections")
        #expect(report.text.hasSuffix("check failed: 1 problem"))
    }

    @Test("routes that disagree on a cluster's MetaServers, or share a MetaServer between clusters")
    func inconsistentRoutes() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "routes.yaml",
            """
            tables:
              a1: { cluster: a, meta-addrs: ["127.0.0.1:1001"] }
              a2: { cluster: b, meta-addrs: ["127.0.0.1:2001"], backups: [{ cluster: a, meta-addrs: ["127.0.0.1:1002"] }] }
              a3: { cluster: c, meta-addrs: ["127.0.0.1:2001"] }
            """)
        let report = ConfigCheck.checkRoutesFile(file)
        #expect(report.problems.count == 2)
        #expect(report.problems.map(\.key) == ["tables.a2.backups[0]", "tables.a3.cluster"])
        #expect(report.problems.allSatisfy { $0.source == file })
        #expect(report.problems[0].message.contains("cluster \"a\" has MetaServers [127.0.0.1:1002] here but [127.0.0.1:1001] in table \"a1\""))
        #expect(report.problems[1].message.contains("MetaServer 127.0.0.1:2001 is in cluster \"c\" here but in cluster \"b\""))
    }

    @Test("a routes file that does not parse: its file and key")
    func badRoutesFile() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write(
            "routes.yaml", "tables:\n  orders: { cluster: a, meta-addrs: [\"127.0.0.1:1001\"], backups: [{ cluster: a, meta-addrs: [\"127.0.0.1:1002\"] }] }\n")
        let report = ConfigCheck.checkRoutesFile(file)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.source == file)
        #expect(report.problems.first?.key?.hasPrefix("tables.orders.backups") == true)
        #expect(report.problems.first?.message.contains("primary") == true)
        #expect(ConfigCheck.checkRoutesFile(directory.path + "/missing.yaml").problems.first?.message == "cannot read the routes file")
    }

    @Test("every bad policy file is reported, each with its key; conflicts between files too")
    func policies() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("a.yaml", "tables: [orders]\nkind: manual\nswitch: { cooldown: 30x }\n")
        try directory.write("b.yaml", "tables: [users]\nkind: no-such-kind\n")
        try directory.write("c.yaml", Self.policy)
        var report = ConfigCheck.checkPolicies(directory.path)
        #expect(report.problems.map(\.source) == ["\(directory.path)/a.yaml", "\(directory.path)/b.yaml"])
        #expect(report.problems.first?.key == "switch.cooldown")
        #expect(report.problems.last?.key == "kind")

        try directory.write("a.yaml", "tables: [orders]\nkind: manual\n")
        try directory.write("b.yaml", "tables: [orders]\nkind: manual\n")
        report = ConfigCheck.checkPolicies(directory.path)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.key == "tables")
        #expect(report.problems.first?.message.contains("orders") == true)

        let missing = ConfigCheck.checkPolicies(directory.path + "/none")
        #expect(missing.isFine)
        #expect(missing.warnings.count == 1)
    }

    @Test("a state file whose directory does not exist")
    func stateFileDirectory() async throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("routes.yaml", "tables:\n  t: { cluster: a, meta-addrs: [\"127.0.0.1:1\"] }\n")
        let config = try directory.write(
            "proxy.yaml", "routes_file: routes.yaml\nfailover: { state_file: nowhere/state.json, policies_dir: p }\n")
        let report = await ConfigCheck.run(.init(configFile: config))
        #expect(report.problems.map(\.key) == ["failover.state_file"])
    }

    @Test("ZooKeeper that cannot be reached is a problem, not a hang")
    func unreachableZooKeeper() async throws {
        let port = try await TestNetwork.freePort()
        let report = await ConfigCheck.run(
            .init(zookeeperAddresses: [try Endpoint(parsing: "127.0.0.1:\(port)")], zookeeperTimeout: .seconds(2)))
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.source == "ZooKeeper 127.0.0.1:\(port) root /pegasus")
    }
}

@Suite("meta-proxy check --zk (real ZooKeeper)")
struct ConfigCheckZooKeeperTests {
    @Test("every route node under the root: each decodes, and they agree with each other")
    func routeNodes() async throws {
        try await TestZooKeeper.withRoot(prefix: "check-test") { client, root in
            try await client.put("\(root)/orders", #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"],"backups":[{"cluster":"b","meta-addrs":["127.0.0.1:2001"]}]}"#)
            try await client.put("\(root)/users", #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"]}"#)
            var settings = ProxyConfiguration.ZooKeeperSettings()
            settings.addresses = [try Endpoint(parsing: TestZooKeeper.address())]
            settings.root = root
            var report = await ConfigCheck.checkRouteNodes(settings)
            #expect(report.problems == [])
            #expect(report.found.first?.hasSuffix(
                "root \(root): 2 route nodes, 0 invalid; 2 tables (orders, users), 2 clusters (a, b), 1 with backups") == true)

            try await client.put("\(root)/broken", "{not json")
            try await client.put("\(root)/self", #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"],"backups":[{"cluster":"a","meta-addrs":["127.0.0.1:1001"]}]}"#)
            try await client.put("\(root)/other", #"{"cluster":"b","meta-addrs":["127.0.0.1:2002"]}"#)
            report = await ConfigCheck.checkRouteNodes(settings)
            #expect(report.problems.map(\.source) == ["\(root)/broken", "\(root)/self", "\(root)/other"])
            #expect(report.problems[1].key?.hasPrefix("backups") == true)
            #expect(report.problems[1].message.contains("primary"))
            #expect(report.problems[2].key == "cluster")
            #expect(report.problems[2].message.contains("cluster \"b\" has MetaServers [127.0.0.1:2002] here"))
        }
    }

    @Test("drift of the protected-table index: a route with backups not indexed, an entry of an unprotected table")
    func protectedIndexDrift() async throws {
        try await TestZooKeeper.withRoot(prefix: "check-test") { client, root in
            let index = RouteAdmin.protectedIndex(root: root)
            try await client.put("\(root)/orders", #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"],"backups":[{"cluster":"b","meta-addrs":["127.0.0.1:2001"]}]}"#)
            try await client.put("\(root)/users", #"{"cluster":"a","meta-addrs":["127.0.0.1:1001"]}"#)
            var settings = ProxyConfiguration.ZooKeeperSettings()
            settings.addresses = [try Endpoint(parsing: TestZooKeeper.address())]
            settings.root = root
            var report = await ConfigCheck.checkRouteNodes(settings)
            #expect(report.problems == [])
            #expect(report.warnings.count == 1)
            #expect(report.warnings.first?.hasPrefix("protected-table index \(index): 1 route with backups not indexed") == true)
            #expect(report.warnings.first?.hasSuffix(": orders") == true)

            try await client.create(index + "/orders", createParents: true)
            try await client.create(index + "/users")
            try await client.create(index + "/gone")
            report = await ConfigCheck.checkRouteNodes(settings)
            #expect(report.warnings == [
                "protected-table index \(index): 2 stale entries (no route node, or a route without backups; "
                    + "the decider's scan removes them): gone, users"
            ])
            #expect(report.isFine)
        }
    }
}
