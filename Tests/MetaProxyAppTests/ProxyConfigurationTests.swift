import FailoverControl
import Foundation
import Logging
import MetaProxyApp
import NIOCore
import Router
import PegasusWire
import RouteModel
import TestSupport
import Testing
import ZooKeeper

@Suite("ProxyConfiguration")
struct ProxyConfigurationTests {
    static func decode(_ yaml: String) throws -> ProxyConfiguration {
        try ProxyConfiguration.decode(yaml: yaml, file: "proxy.yaml")
    }

    @Test func defaults() throws {
        let configuration = try Self.decode("routes_file: routes.yaml")
        #expect(configuration.server.listen.description == "0.0.0.0:34601")
        #expect(configuration.server.adminListen.description == "127.0.0.1:34602")
        #expect(configuration.server.maxConnections == 10000)
        #expect(configuration.server.maxFrameBytes == 1_048_576)
        #expect(configuration.server.idleTimeout == .seconds(600))
        #expect(configuration.server.maxUnwrittenReplyBytes == 4 << 20)
        #expect(configuration.server.maxBufferedRequestBytes == 64 << 20)
        #expect(configuration.server.frameTimeout == .seconds(10))
        #expect(configuration.server.drainDelay == .zero)
        #expect(configuration.server.adminMaxConnections == 64)
        #expect(configuration.server.adminHeaderTimeout == .seconds(10))
        #expect(configuration.server.adminIdleTimeout == .seconds(60))
        #expect(configuration.server.adminMaxHeadBytes == 16384)
        #expect(configuration.zookeeper.addresses.isEmpty)
        #expect(configuration.zookeeper.root == "/pegasus")
        #expect(configuration.zookeeper.sessionTimeout == .milliseconds(1000))
        #expect(configuration.zookeeper.tableWatcherCacheCapacity == 50_000)
        #expect(configuration.zookeeper.auth == nil)
        #expect(configuration.routesFile == "routes.yaml")
        #expect(configuration.meta.timeout == .milliseconds(3000))
        #expect(configuration.meta.maxForwardHops == 3)
        #expect(configuration.meta.coalesce)
        #expect(configuration.meta.coalesceWindow == .milliseconds(100))
        #expect(configuration.upstreamSettings.coalesceWindow == .milliseconds(100))
        #expect(configuration.failover.policiesDirectory == "policies")
        #expect(configuration.failover.historySize == 20)
        #expect(configuration.failover.peerRoots.isEmpty)
        #expect(configuration.metric.kind == .prometheus)
        #expect(configuration.metric.tags.isEmpty)
        #expect(configuration.log.level == .info)
        #expect(configuration.warnings.isEmpty)
        #expect(configuration.routeSource == .file("routes.yaml"))
        #expect(configuration.file == "proxy.yaml")
        #expect(throws: Never.self) { try configuration.validate() }

        var fromInit = ProxyConfiguration()
        fromInit.routesFile = "routes.yaml"
        fromInit.file = "proxy.yaml"
        #expect(fromInit == configuration)
    }

    @Test func everyKey() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("zk.auth", "digest:proxy:s3cret\n")
        let file = try directory.write(
            "proxy.yaml",
            """
            server:
              listen: 127.0.0.1:0
              admin_listen: localhost:9000
              max_connections: 50
              max_frame_bytes: 65536
              idle_timeout: 0
              threads: 3
              max_unwritten_reply_bytes: 65536
              max_buffered_request_bytes: 1048576
              frame_timeout: 3
              drain_delay: 6
              admin_max_connections: 5
              admin_header_timeout: 2
              admin_idle_timeout: 7
              admin_max_head_bytes: 4096
            zookeeper:
              address: [127.0.0.1:2181, "zk2.example.com:2182"]
              root: /meta-proxy/az1
              timeout: 5000
              table_watcher_cache_capacity: 16
              auth_file: zk.auth
              failover_writers: ["digest:operator:AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "ip:127.0.0.1"]
            meta: { timeout: 250, max_forward_hops: 0, coalesce: false, coalesce_window: 0 }
            failover: { policies_dir: /etc/policies, history_size: 5, state_file: state/failover.json, peer_roots: [/meta-proxy/az2] }
            metric: { type: prometheus, tags: { region: az1, service: meta_proxy } }
            log: { level: debug }
            """
        )
        let configuration = try ProxyConfiguration.load(file: file)
        #expect(configuration.server.listen == (try Endpoint(parsing: "127.0.0.1:0", allowsPortZero: true)))
        #expect(configuration.server.adminListen.description == "localhost:9000")
        #expect(configuration.server.maxConnections == 50)
        #expect(configuration.server.maxFrameBytes == 65536)
        #expect(configuration.server.idleTimeout == .zero)
        #expect(configuration.server.threads == 3)
        #expect(configuration.server.effectiveThreads == 3)
        #expect(configuration.server.maxUnwrittenReplyBytes == 65536)
        #expect(configuration.server.maxBufferedRequestBytes == 1_048_576)
        #expect(configuration.server.frameTimeout == .seconds(3))
        #expect(configuration.proxySettings.frameTimeout == .seconds(3))
        #expect(configuration.server.drainDelay == .seconds(6))
        #expect(configuration.proxySettings.maxUnwrittenReplyBytes == 65536)
        #expect(configuration.proxySettings.maxBufferedRequestBytes == 1_048_576)
        #expect(configuration.server.adminMaxConnections == 5)
        #expect(configuration.server.adminHeaderTimeout == .seconds(2))
        #expect(configuration.server.adminIdleTimeout == .seconds(7))
        #expect(configuration.server.adminMaxHeadBytes == 4096)
        #expect(configuration.zookeeper.connectString == "127.0.0.1:2181,zk2.example.com:2182")
        #expect(configuration.zookeeper.root == "/meta-proxy/az1")
        #expect(configuration.zookeeper.sessionTimeout == .seconds(5))
        #expect(configuration.zookeeper.tableWatcherCacheCapacity == 16)
        #expect(configuration.zookeeper.auth?.scheme == "digest")
        #expect(configuration.zookeeper.auth?.credential == "proxy:s3cret")
        #expect(configuration.zookeeper.auth?.source.hasPrefix("zookeeper.auth_file \"") == true)
        #expect(configuration.zookeeper.auth?.source.hasSuffix("zk.auth\"") == true)
        #expect(configuration.zookeeper.failoverWriters.map(\.scheme) == ["digest", "ip"])
        #expect(configuration.zookeeper.failoverWriters.first?.id == "operator:AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        #expect(configuration.zookeeper.failoverWriters.allSatisfy { $0.permissions == .all })
        #expect(configuration.meta.timeout == .milliseconds(250))
        #expect(configuration.meta.maxForwardHops == 0)
        #expect(!configuration.meta.coalesce)
        #expect(configuration.meta.coalesceWindow == .zero)
        #expect(configuration.failover.policiesDirectory == "/etc/policies")
        #expect(configuration.failover.historySize == 5)
        #expect(configuration.failover.peerRoots == ["/meta-proxy/az2"])
        #expect(configuration.failover.stateFile?.hasSuffix("/state/failover.json") == true)
        #expect(configuration.metric.tags == ["region": "az1", "service": "meta_proxy"])
        #expect(configuration.log.level == .debug)
        #expect(configuration.routeSource == .zookeeper(configuration.zookeeper))

        let summary = configuration.summary
        #expect(summary["route_source"] == "zookeeper")
        #expect(summary["zookeeper.address"] == "127.0.0.1:2181,zk2.example.com:2182")
        #expect(summary["zookeeper.auth"] == "digest:<redacted>")
        #expect(summary["zookeeper.failover_writers"] == "digest:operator,ip:127.0.0.1")
        #expect(summary["server.idle_timeout"] == "0s")
        #expect(summary["server.threads"] == "3")
        #expect(summary["server.frame_timeout"] == "3s")
        #expect(summary["server.drain_delay"] == "6s")
        #expect(summary["meta.timeout"] == "250ms")
        #expect(summary["metric.tags"] == "region=az1,service=meta_proxy")
        #expect(summary["config_file"] == file)
        let everything =
            summary.map { "\($0.key)=\($0.value)" }.joined() + "\(configuration)"
            + String(reflecting: configuration) + String(describing: configuration.zookeeper.auth)
        #expect(!everything.contains("s3cret"))
        #expect(!summary.values.joined().contains("AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
    }

    @Test func peerRootsNeedZooKeeperAndAnotherRoot() throws {
        let withFile = try Self.decode("routes_file: r.yaml\nfailover: { peer_roots: [/b] }")
        let noZooKeeper = #expect(throws: ConfigError.self) { try withFile.validate() }
        #expect(noZooKeeper?.keyPath == "failover.peer_roots" && noZooKeeper?.file == "proxy.yaml")
        #expect(noZooKeeper?.reason.contains("zookeeper.address") == true)
        let same = try Self.decode("zookeeper: { address: [zk:2181], root: /a }\nfailover: { peer_roots: [/b, /a] }")
        let itself = #expect(throws: ConfigError.self) { try same.validate() }
        #expect(itself?.keyPath == "failover.peer_roots[1]")
        let fine = try Self.decode("zookeeper: { address: [zk:2181], root: /a }\nfailover: { peer_roots: [/b] }")
        try fine.validate()
    }

    @Test func catalogScanPaceAndPeriod() throws {
        let defaults = try Self.decode("zookeeper: { address: [zk:2181], root: /a }")
        #expect(defaults.failover.catalogScan == ProtectedIndexScanner.Settings())
        #expect(defaults.failover.catalogScan.readsPerSecond == 200)
        #expect(defaults.failover.catalogScan.interval == .seconds(600))
        let set = try Self.decode(
            "zookeeper: { address: [zk:2181], root: /a }\nfailover: { catalog_scan: { reads_per_second: 50, interval: 30m } }")
        #expect(set.failover.catalogScan.readsPerSecond == 50)
        #expect(set.failover.catalogScan.interval == .seconds(1800))
    }

    @Test func relativePathsAreRelativeToTheConfigurationFile() throws {
        let configuration = try ProxyConfiguration.decode(
            yaml: "routes_file: routes.yaml\nfailover: { history_size: 3 }",
            file: "/etc/meta-proxy/proxy.yaml"
        )
        #expect(configuration.routesFile == "/etc/meta-proxy/routes.yaml")
        #expect(configuration.failover.policiesDirectory == "/etc/meta-proxy/policies")
        let absolute = try ProxyConfiguration.decode(yaml: "routes_file: /srv/r.yaml", file: "/etc/proxy.yaml")
        #expect(absolute.routesFile == "/srv/r.yaml")
    }

    @Test func theGoMetaProxyExampleLoads() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        // The shape of pegasus-kv/meta-proxy's config/yaml/meta-proxy-example.yml.
        let file = try directory.write(
            "meta-proxy-example.yml",
            """
            zookeeper:
              address: [127.0.0.1:22181,127.0.0.2:22181]
              root: /pegasus-cluster
              timeout: 1000 # ms
              table_watcher_cache_capacity: 1024

            metric:
              type: falcon
              tags: [region=local_tst,service=meta_proxy]
            """
        )
        let configuration = try ProxyConfiguration.load(file: file)
        #expect(configuration.zookeeper.addresses.map(\.description) == ["127.0.0.1:22181", "127.0.0.2:22181"])
        #expect(configuration.zookeeper.root == "/pegasus-cluster")
        #expect(configuration.zookeeper.sessionTimeout == .milliseconds(1000))
        #expect(configuration.zookeeper.tableWatcherCacheCapacity == 1024)
        #expect(configuration.metric.kind == .falcon)
        #expect(configuration.metric.tags == ["region": "local_tst", "service": "meta_proxy"])
        #expect(configuration.warnings.count == 1)
        #expect(configuration.warnings.first?.contains("only prometheus") == true)
        #expect(configuration.server.listen.description == "0.0.0.0:34601")
    }

    @Test(
        arguments: [
            (
                "server: { max_connections: lots }", ConfigError.Code.invalidValue, "server.max_connections",
                #"expected a positive integer, got "lots""#
            ),
            ("server: { max_connections: 0 }", .invalidValue, "server.max_connections", "expected a positive integer"),
            ("server: { max_connections: [1] }", .invalidValue, "server.max_connections", "got a list"),
            ("server: { listen: \"0.0.0.0\" }", .invalidValue, "server.listen", "is not host:port"),
            ("server: { listen: 0.0.0.0:70000 }", .invalidValue, "server.listen", "not in 0-65535"),
            ("server: { idle_timeout: -1 }", .invalidValue, "server.idle_timeout", "seconds"),
            ("server: { threads: -1 }", .invalidValue, "server.threads", "thread count"),
            ("server: { max_unwritten_reply_bytes: 10 }", .invalidValue, "server.max_unwritten_reply_bytes", "at least 1024"),
            ("server: { max_buffered_request_bytes: 0 }", .invalidValue, "server.max_buffered_request_bytes", "at least 1024"),
            ("server: { frame_timeout: 0 }", .invalidValue, "server.frame_timeout", "seconds"),
            ("server: { drain_delay: -1 }", .invalidValue, "server.drain_delay", "seconds from 0 to 300"),
            ("server: { drain_delay: 301 }", .invalidValue, "server.drain_delay", "seconds from 0 to 300"),
            ("server: { threads: 5000 }", .invalidValue, "server.threads", "thread count"),
            ("server: { admin_max_connections: 0 }", .invalidValue, "server.admin_max_connections", "from 1 to 65536"),
            ("server: { admin_header_timeout: 0 }", .invalidValue, "server.admin_header_timeout", "seconds from 1"),
            ("server: { admin_idle_timeout: soon }", .invalidValue, "server.admin_idle_timeout", "seconds from 1"),
            ("server: { admin_max_head_bytes: 10 }", .invalidValue, "server.admin_max_head_bytes", "from 1024"),
            ("server: { bogus: 1 }", .unknownKey, "server.bogus", "unknown key"),
            ("bogus: 1", .unknownKey, "bogus", "unknown key"),
            ("server: 5", .invalidValue, "server", "expected a mapping, got \"5\""),
            ("zookeeper: { address: [\"zk:0\"] }", .invalidValue, "zookeeper.address[0]", "not in 1-65535"),
            ("zookeeper: { address: \"zk1:2181,zk2\" }", .invalidValue, "zookeeper.address[1]", "no \":port\""),
            ("zookeeper: { address: [] }", .invalidValue, "zookeeper.address", "empty list"),
            ("zookeeper: { timeout: 1.5 }", .invalidValue, "zookeeper.timeout", "milliseconds"),
            ("zookeeper: { auth: \"nocolon\" }", .invalidValue, "zookeeper.auth", "scheme:credential"),
            ("zookeeper: { auth: \"digest:useronly\" }", .invalidValue, "zookeeper.auth", "scheme:credential"),
            ("zookeeper: { auth: \"digest:u:p\", auth_file: x }", .invalidValue, "zookeeper", "not both"),
            ("zookeeper: { auth_file: /nonexistent/zk.auth }", .invalidValue, "zookeeper.auth_file", "cannot read"),
            ("zookeeper: { failover_writers: [\"digest:op:password\"] }", .invalidValue, "zookeeper.failover_writers[0]",
             "expected a ZooKeeper id"),
            ("zookeeper: { failover_writers: [\"world:anyone\"] }", .invalidValue, "zookeeper.failover_writers[0]",
             "expected a ZooKeeper id"),
            ("meta: { max_forward_hops: 17 }", .invalidValue, "meta.max_forward_hops", "from 0 to 16"),
            ("meta: { coalesce: maybe }", .invalidValue, "meta.coalesce", "true or false"),
            ("meta: { coalesce_window: 10001 }", .invalidValue, "meta.coalesce_window", "from 0 to 10000"),
            ("failover: { history_size: 0 }", .invalidValue, "failover.history_size", "from 1"),
            ("failover: { peer_roots: [relative] }", .invalidValue, "failover.peer_roots[0]", "absolute ZooKeeper path"),
            ("failover: { peer_roots: [/a/] }", .invalidValue, "failover.peer_roots[0]", "absolute ZooKeeper path"),
            ("failover: { peer_roots: [/a, /a] }", .invalidValue, "failover.peer_roots[1]", "listed twice"),
            ("failover: { peer_roots: /a }", .invalidValue, "failover.peer_roots", "list"),
            ("failover: { catalog_scan: { reads_per_second: 0 } }", .invalidValue, "failover.catalog_scan.reads_per_second", "from 1"),
            ("failover: { catalog_scan: { interval: 500ms } }", .invalidValue, "failover.catalog_scan.interval", "at least 1s"),
            ("metric: { type: statsd }", .invalidValue, "metric.type", "expected prometheus or falcon, got \"statsd\""),
            ("metric: { tags: [novalue] }", .invalidValue, "metric.tags[0]", "key=value"),
            ("metric: { tags: [a=1, a=2] }", .invalidValue, "metric.tags[1]", "duplicate tag"),
            ("log: { level: loud }", .invalidValue, "log.level", "one of trace"),
            ("routes_file: [a]", .invalidValue, "routes_file", "expected a string"),
            ("server: { listen: 1.2.3.4:1\n  bad", .syntax, nil, "invalid YAML"),
            ("server: {}\nserver: {}", .syntax, nil, "duplicate keys server"),
        ] as [(String, ConfigError.Code, String?, String)]
    )
    func invalidValuesNameKeyAndFile(yaml: String, code: ConfigError.Code, keyPath: String?, reason: String) {
        let error = #expect(throws: ConfigError.self) { try Self.decode(yaml) }
        #expect(error?.code == code)
        #expect(error?.file == "proxy.yaml")
        #expect(error?.keyPath == keyPath)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        #expect(error?.description.hasPrefix("proxy.yaml: " + (keyPath.map { $0 + ": " } ?? "")) == true)
    }

    @Test func theBriefsExampleMessage() {
        let error = #expect(throws: ConfigError.self) { try Self.decode("server:\n  max_connections: lots\n") }
        #expect(error?.description == #"proxy.yaml: server.max_connections: expected a positive integer, got "lots""#)
    }

    @Test func secretsNeverAppearInErrors() {
        for yaml in [
            "zookeeper: { auth: \"s3cret\" }", "zookeeper: { auth: \"digest:s3cret\" }",
            "zookeeper:\n  auth: \"digest:u:s3cret\n  x",
            "zookeeper: { failover_writers: [\"digest:u:s3cret\"] }",
        ] {
            let error = #expect(throws: ConfigError.self) { try Self.decode(yaml) }
            #expect(error?.description.contains("s3cret") == false, "\(error?.description ?? "")")
        }
    }

    @Test func aWrongCredentialsFileNamesKeyAndFileNotItsContent() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        try directory.write("zk.auth", "digest-proxy-s3cret\n")
        let file = try directory.write("proxy.yaml", "zookeeper: { address: [127.0.0.1:2181], auth_file: zk.auth }\n")
        let error = #expect(throws: ConfigError.self) { try ProxyConfiguration.load(file: file) }
        #expect(error?.keyPath == "zookeeper.auth_file")
        #expect(error?.description.contains("zk.auth\" does not hold") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test func routeSourceValidation() throws {
        let neither = #expect(throws: ConfigError.self) { try Self.decode("log: { level: info }").validate() }
        #expect(neither?.code == .noRouteSource)
        #expect(neither?.description.contains("set zookeeper.address") == true)
        #expect(neither?.description.contains("routes_file") == true)
        #expect(neither?.file == "proxy.yaml")

        let both = #expect(throws: ConfigError.self) {
            try Self.decode("routes_file: r.yaml\nzookeeper: { address: [zk:2181] }").validate()
        }
        #expect(both?.code == .conflictingRouteSources)

        let badRoot = #expect(throws: ConfigError.self) {
            try Self.decode("zookeeper: { address: [zk:2181], root: pegasus/ }").validate()
        }
        #expect(badRoot?.keyPath == "zookeeper.root")

        let sameListeners = #expect(throws: ConfigError.self) {
            try Self.decode("routes_file: r.yaml\nserver: { listen: 127.0.0.1:5000, admin_listen: 127.0.0.1:5000 }")
                .validate()
        }
        #expect(sameListeners?.keyPath == "server.admin_listen")
        #expect(throws: Never.self) {
            try Self.decode("routes_file: r.yaml\nserver: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }")
                .validate()
        }
    }

    @Test func loadReportsUnreadableFilesAndValidates() throws {
        let missing = #expect(throws: ConfigError.self) { try ProxyConfiguration.load(file: "/nonexistent/proxy.yaml") }
        #expect(missing?.code == .unreadableFile)
        #expect(missing?.file == "/nonexistent/proxy.yaml")

        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let empty = try directory.write("empty.yaml", "")
        let error = #expect(throws: ConfigError.self) { try ProxyConfiguration.load(file: empty) }
        #expect(error?.code == .noRouteSource)
        #expect(error?.file == empty)
    }

    @Test func overridesReplaceTheFilesValues() throws {
        let base = try Self.decode(
            "routes_file: routes.yaml\nserver: { listen: 0.0.0.0:1000 }\nzookeeper: { root: /a }\nlog: { level: error }"
        )
        let overrides = ConfigOverrides(
            listen: try Endpoint(parsing: "127.0.0.1:0", allowsPortZero: true),
            adminListen: try Endpoint(parsing: "127.0.0.1:9", allowsPortZero: true),
            zookeeperHosts: [try Endpoint(parsing: "zk1:2181"), try Endpoint(parsing: "zk2:2181")],
            zookeeperRoot: "/b",
            logLevel: .trace
        )
        let result = base.applying(overrides: overrides)
        #expect(result.server.listen.description == "127.0.0.1:0")
        #expect(result.server.adminListen.description == "127.0.0.1:9")
        #expect(result.zookeeper.connectString == "zk1:2181,zk2:2181")
        #expect(result.zookeeper.root == "/b")
        #expect(result.log.level == .trace)
        #expect(result.routesFile == nil)
        #expect(result.routeSource == .zookeeper(result.zookeeper))
        #expect(throws: Never.self) { try result.validate() }
        #expect(base.applying(overrides: ConfigOverrides()) == base)

        let backToFile = result.applying(overrides: ConfigOverrides(routesFile: "other.yaml"))
        #expect(backToFile.routeSource == .file("other.yaml"))
        #expect(backToFile.zookeeper.addresses.isEmpty)

        let both = base.applying(
            overrides: ConfigOverrides(zookeeperHosts: [try Endpoint(parsing: "zk:1")], routesFile: "r.yaml")
        )
        #expect(throws: ConfigError.self) { try both.validate() }
    }

    @Test func loadAppliesOverridesBeforeValidating() throws {
        let directory = try RouteTestDirectory()
        defer { directory.remove() }
        let file = try directory.write("proxy.yaml", "log: { level: warn }")
        let configuration = try ProxyConfiguration.load(
            file: file,
            overrides: ConfigOverrides(zookeeperHosts: [try Endpoint(parsing: "127.0.0.1:2181")])
        )
        #expect(configuration.log.level == .warning)
        #expect(configuration.routeSource == .zookeeper(configuration.zookeeper))
    }

    @Test("meta upstream budgets: defaults, parsed values, and errors naming key and file")
    func metaUpstreamBudgets() throws {
        let defaults = try Self.decode("routes_file: routes.yaml")
        #expect(defaults.meta.maxQueuedBytes == 8 << 20)
        #expect(defaults.meta.maxConsecutiveTimeouts == 2)
        #expect(defaults.meta.keepaliveIdle == .seconds(30))
        #expect(defaults.meta.keepaliveInterval == .seconds(10))
        #expect(defaults.meta.keepaliveCount == 3)
        #expect(defaults.upstreamSettings == UpstreamSettings(coalesceWindow: .milliseconds(100)))

        let set = try Self.decode(
            """
            routes_file: routes.yaml
            meta: { max_queued_bytes: 65536, max_consecutive_timeouts: 5, keepalive_idle: 0, keepalive_interval: 2, keepalive_count: 7 }
            """)
        #expect(set.upstreamSettings.maxQueuedBytes == 65536)
        #expect(set.upstreamSettings.maxConsecutiveTimeouts == 5)
        #expect(set.upstreamSettings.keepaliveIdle == .zero)
        #expect(set.upstreamSettings.keepaliveInterval == .seconds(2))
        #expect(set.upstreamSettings.keepaliveCount == 7)

        for (yaml, key) in [
            ("meta: { max_queued_bytes: 100 }", "meta.max_queued_bytes"),
            ("meta: { max_consecutive_timeouts: 0 }", "meta.max_consecutive_timeouts"),
            ("meta: { keepalive_idle: -1 }", "meta.keepalive_idle"),
            ("meta: { keepalive_interval: 0 }", "meta.keepalive_interval"),
            ("meta: { keepalive_count: 101 }", "meta.keepalive_count"),
        ] {
            let error = #expect(throws: ConfigError.self) { try Self.decode(yaml) }
            #expect(error?.keyPath == key)
            #expect(error?.file == "proxy.yaml")
        }
    }

    @Test("failover.hooks: exec (relative to the file), url, timeout and queue; errors name the key and the file")
    func failoverHooks() throws {
        #expect(try Self.decode("routes_file: routes.yaml").failover.hooks == nil)
        let set = try ProxyConfiguration.decode(
            yaml: """
                routes_file: routes.yaml
                failover: { hooks: { exec: hooks/notify.sh, url: "http://127.0.0.1:9/h", timeout: 2s, queue: 7 } }
                """,
            file: "/etc/meta-proxy/proxy.yaml")
        let hooks = try #require(set.failover.hooks)
        #expect(hooks.exec == "/etc/meta-proxy/hooks/notify.sh" && hooks.url == "http://127.0.0.1:9/h")
        #expect(hooks.timeout == .seconds(2) && hooks.queueCapacity == 7)
        #expect(try Self.decode("routes_file: r.yaml\nfailover: { hooks: { url: \"http://h/x\" } }").failover.hooks?.timeout == .seconds(5))

        for (yaml, key) in [
            ("failover: { hooks: { timeout: 1s } }", "failover.hooks"),
            ("failover: { hooks: { url: \"https://h/x\" } }", "failover.hooks.url"),
            ("failover: { hooks: { exec: /x, timeout: 10 } }", "failover.hooks.timeout"),
            ("failover: { hooks: { exec: /x, timeout: 10m } }", "failover.hooks.timeout"),
            ("failover: { hooks: { exec: /x, queue: 0 } }", "failover.hooks.queue"),
            ("failover: { hooks: { exec: /x, retries: 3 } }", "failover.hooks.retries"),
        ] {
            let error = #expect(throws: ConfigError.self) { try Self.decode("routes_file: r.yaml\n" + yaml) }
            #expect(error?.keyPath == key, "\(yaml): \(error?.description ?? "")")
            #expect(error?.file == "proxy.yaml")
        }
    }
}
