import Synchronization

/// A simulated Pegasus MetaServer group over ``TestHTTPServer``s: every MetaServer answers
/// `/version`; the leader answers `/meta/cluster`, `/meta/app` and `/meta/app/duplication`, and
/// followers redirect those with 307 to the leader.
final class FakeMetaCluster: Sendable {
    private struct Config {
        var leaderIndex = 0
        var duplicationBody = PegasusFixtures.duplicationMaster
        var partitionCount = 2
        var hangEverything = false
    }

    let servers: [TestHTTPServer]
    private let config = Mutex(Config())

    /// The MetaServer addresses.
    var metas: [String] { self.servers.map(\.address) }

    private init(servers: [TestHTTPServer]) {
        self.servers = servers
    }

    /// Starts `count` MetaServers, the first one leader.
    static func start(count: Int = 2) async throws -> FakeMetaCluster {
        var servers: [TestHTTPServer] = []
        for _ in 0..<count {
            servers.append(try await TestHTTPServer.start { _, _ in .text(503, "starting") })
        }
        let cluster = FakeMetaCluster(servers: servers)
        for (index, server) in servers.enumerated() {
            server.setRoute { [cluster] path, query in cluster.reply(index: index, path: path, query: query) }
        }
        return cluster
    }

    /// Sets the `/meta/app/duplication` body served by the leader.
    func setDuplicationBody(_ body: String) {
        self.config.withLock { $0.duplicationBody = body }
    }

    /// Makes every MetaServer accept requests and never answer.
    func setHangEverything(_ hang: Bool) {
        self.config.withLock { $0.hangEverything = hang }
    }

    /// Stops every MetaServer (connections refused).
    func stop() async {
        for server in self.servers {
            await server.stop()
        }
    }

    /// Restarts every MetaServer on its port.
    func restart() async throws {
        for server in self.servers {
            try await server.restart()
        }
    }

    private func reply(index: Int, path: String, query: String) -> TestHTTPServer.Reply {
        let config = self.config.withLock { $0 }
        if config.hangEverything {
            return .hang
        }
        let metas = self.metas
        let leader = metas[config.leaderIndex]
        let isLeader = index == config.leaderIndex
        switch path {
        case "/version":
            return .text(200, PegasusFixtures.version)
        case "/meta/cluster", "/meta/app", "/meta/app/duplication":
            guard isLeader else {
                let location = "http://\(leader)\(path)" + (query.isEmpty ? "" : "?\(query)")
                return .text(307, "", headers: [("Location", location)])
            }
            switch path {
            case "/meta/cluster":
                return .text(200, PegasusFixtures.cluster(primary: leader, metas: metas))
            case "/meta/app":
                return .text(200, PegasusFixtures.app(partitionCount: config.partitionCount))
            default:
                return .text(200, config.duplicationBody)
            }
        default:
            return .text(404, "service not found for \"\(path)\"")
        }
    }
}
