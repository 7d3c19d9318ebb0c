import FailoverPolicy
import Foundation
import HealthProbe
import PegasusWire
import RouteModel
import Router
import TestSupport
import Testing
import ZooKeeper

@testable import FailoverControl
@testable import MetaProxyApp

/// The ACL scheme of docs/security.md against the real ZooKeeper of `ZK_ADDRESS`: an operator identity
/// writes routes, a proxy identity reads them and writes only the failover state, a wrong identity is denied.
@Suite("ZooKeeper ACLs", .serialized, .timeLimit(.minutes(2)))
struct ZooKeeperACLTests {
    static let operatorAuth = ZooKeeperCredentials(parsing: "digest:operator:op-secret", source: "test")
    static let proxyAuth = ZooKeeperCredentials(parsing: "digest:proxy:proxy-secret", source: "test")
    static let wrongAuth = ZooKeeperCredentials(parsing: "digest:proxy:not-the-password", source: "test")

    /// A connected client with `credentials` (or anonymous) whose creates default to `defaultACL`.
    static func client(
        _ credentials: ZooKeeperCredentials?, defaultACL: ZooKeeperACL = .openUnsafe
    ) async throws -> ZooKeeperClient {
        let client = ZooKeeperClient(
            configuration: ZooKeeperConfiguration(
                hosts: [try TestZooKeeper.address()], sessionTimeout: .seconds(30), connectTimeout: .seconds(30),
                auth: credentials?.clientAuth, defaultACL: defaultACL),
            logger: TestLogging.quiet)
        try await client.connect()
        return client
    }

    /// The server's digest id of `credentials`: create a node as `auth:` (creator) and read its ACL back.
    static func digestID(_ credentials: ZooKeeperCredentials?) async throws -> ZooKeeperACL.Entry {
        let client = try await client(credentials)
        let scratch = "/acl-id-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try await client.create(scratch, acl: .creatorAll)
        let acl = try await client.getACL(scratch)
        try await client.delete(scratch)
        await client.close()
        let entry = try #require(acl.entries.first)
        return ZooKeeperACL.Entry(scheme: entry.scheme, id: entry.id, permissions: .all)
    }

    /// Runs `body` with a fresh root; afterwards removes the tree with a session holding every identity.
    static func withRoot(_ body: (String) async throws -> Void) async throws {
        let root = "/acl-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        var failure: (any Error)?
        do {
            try await body(root)
        } catch {
            failure = error
        }
        let cleaner = try await client(operatorAuth)
        try await cleaner.addAuth(.digest("proxy:proxy-secret"))
        await cleaner.deleteTree(root)
        await cleaner.close()
        if let failure { throw failure }
    }

    static func route(_ table: String) throws -> Route {
        Route(
            table: table,
            primary: ClusterRoute(name: "A", metas: [try Endpoint(parsing: "127.0.0.1:1001")]),
            backups: [ClusterRoute(name: "B", metas: [try Endpoint(parsing: "127.0.0.1:2001")])])
    }

    static func effective(_ table: String, on cluster: String) -> EffectiveRoute {
        EffectiveRoute(
            table: table, activeCluster: cluster, reason: DecisionReason(.operatorRequest, "acl test"), since: Date(),
            decidedBy: "test", mode: .drill)
    }

    @Test("the ACLs of each kind of node, with and without credentials")
    func aclTable() throws {
        let writer = try #require(ZooKeeperNodeACLs.writer(parsing: "digest:proxy:AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
        let open = ZooKeeperNodeACLs(credentials: nil, failoverWriters: [writer])
        #expect(open.routes == .openUnsafe)
        #expect(open.failoverState == .openUnsafe)
        let secured = ZooKeeperNodeACLs(credentials: Self.operatorAuth, failoverWriters: [writer, writer])
        #expect(secured.routes == .readOnlyWorldCreatorAll)
        #expect(secured.failoverState.entries == ZooKeeperACL.readOnlyWorldCreatorAll.entries + [writer])
        #expect(writer.permissions == .all)
        // A password where a hash belongs, a world/auth id, or no id at all is refused.
        for text in ["digest:proxy:proxy-secret", "world:anyone", "auth:", "digest", "digest:", ":x", "digest::AAAAAAAAAAAAAAAAAAAAAAAAAAA="] {
            #expect(ZooKeeperNodeACLs.writer(parsing: text) == nil, "\(text)")
        }
        #expect(ZooKeeperNodeACLs.writer(parsing: "ip:127.0.0.1")?.scheme == "ip")
    }

    @Test("routes the operator writes are world-readable; the proxy identity and anonymous sessions cannot change them")
    func routesAreReadOnlyForOthers() async throws {
        try await Self.withRoot { root in
            let operatorID = try await Self.digestID(Self.operatorAuth)
            let acls = ZooKeeperNodeACLs(credentials: Self.operatorAuth, failoverWriters: [])
            let operatorClient = try await Self.client(Self.operatorAuth, defaultACL: acls.routes)
            try await RouteAdmin(client: operatorClient, root: root).set(try Self.route("t1"))

            let expected = ZooKeeperACL([
                ZooKeeperACL.Entry(scheme: "world", id: "anyone", permissions: .read),
                ZooKeeperACL.Entry(scheme: operatorID.scheme, id: operatorID.id, permissions: .all),
            ])
            #expect(try await operatorClient.getACL(root) == expected)
            #expect(try await operatorClient.getACL(root + "/t1") == expected)

            for credentials in [Self.proxyAuth, nil] {
                let other = try await Self.client(credentials)
                let admin = RouteAdmin(client: other, root: root)
                // Reading works: the proxy serves these routes.
                #expect(try await admin.get("t1").route == (try Self.route("t1")))
                let store = ZooKeeperRouteStore(client: other, root: root, capacity: 8, logger: TestLogging.quiet)
                #expect(try await store.route(for: "t1") == (try Self.route("t1")))
                // Changing, deleting or adding a route is denied, naming the node.
                let changed = await #expect(throws: ZooKeeperError.self) {
                    try await admin.compareAndSet(try Self.route("t1"), expectedVersion: 0)
                }
                #expect(changed?.code == .noAuth)
                #expect(changed?.path == root + "/t1")
                #expect(changed?.description.contains("not authenticated") == true)
                let deleted = await #expect(throws: ZooKeeperError.self) { try await admin.delete("t1") }
                #expect(deleted?.code == .noAuth)
                #expect(deleted?.path == root + "/t1")
                let added = await #expect(throws: ZooKeeperError.self) { try await admin.set(try Self.route("t2")) }
                #expect(added?.code == .noAuth)
                #expect(added?.path == root + "/t2")
                await other.close()
            }
            #expect(try await RouteAdmin(client: operatorClient, root: root).get("t1").version == 0)
            await operatorClient.close()
        }
    }

    @Test("after failover init the proxy identity writes failover state, the operator can change it, others cannot")
    func failoverStateWriters() async throws {
        try await Self.withRoot { root in
            let operatorID = try await Self.digestID(Self.operatorAuth)
            let proxyID = try await Self.digestID(Self.proxyAuth)
            let paths = FailoverPaths(root: root)

            // The operator: routes, then the failover subtree granting the proxy identity.
            let operatorACLs = ZooKeeperNodeACLs(credentials: Self.operatorAuth, failoverWriters: [proxyID])
            let operatorClient = try await Self.client(Self.operatorAuth, defaultACL: operatorACLs.routes)
            let admin = FailoverAdmin(
                client: operatorClient, root: root, operatorName: "test", acl: operatorACLs.routes,
                failoverACL: operatorACLs.failoverState, logger: TestLogging.quiet)
            try await RouteAdmin(client: operatorClient, root: root).set(try Self.route("t1"))
            let prepared = try await admin.prepareState()
            #expect(prepared == [paths.base, paths.failoverDirectory, paths.election].map {
                FailoverAdmin.PreparedNode(path: $0, created: true)
            })
            let subtreeACL = ZooKeeperACL([
                ZooKeeperACL.Entry(scheme: "world", id: "anyone", permissions: .read),
                ZooKeeperACL.Entry(scheme: operatorID.scheme, id: operatorID.id, permissions: .all),
                proxyID,
            ])
            #expect(try await operatorClient.getACL(paths.base) == subtreeACL)
            #expect(try await operatorClient.getACL(paths.election) == subtreeACL)
            #expect(try await operatorClient.getACL(root) == ZooKeeperACL(Array(subtreeACL.entries.prefix(2))))

            // The proxy, granting the operator on what it creates.
            let proxyACLs = ZooKeeperNodeACLs(credentials: Self.proxyAuth, failoverWriters: [operatorID])
            let proxyClient = try await Self.client(Self.proxyAuth, defaultACL: proxyACLs.failoverState)
            let store = ZooKeeperFailoverStateStore(
                client: proxyClient, paths: paths, routes: FixedRouteStore([try Self.route("t1")]),
                metrics: FailoverMetrics(), logger: TestLogging.quiet)
            try await store.write(Self.effective("t1", on: "B"), expecting: .absent)
            let election = DeciderElection(
                client: proxyClient, paths: paths, instanceID: "proxy-1", metrics: FailoverMetrics(),
                logger: TestLogging.quiet)
            let health = HealthPublisher(
                client: proxyClient, path: paths.health,
                writeFailures: StateWriteFailures(metrics: FailoverMetrics(), credentialsSource: nil, logger: TestLogging.quiet),
                logger: TestLogging.quiet)
            let electing = Task { await election.run() }
            let storing = Task { try await store.run() }
            do {
                store.track(["t1"])
                #expect(await eventually { election.isDecider })
                await health.publishIfDue(
                    HealthSnapshot(takenAt: Date(), clusters: [:], duplications: [], duplicationFailures: []), now: Date())
                #expect(try await operatorClient.exists(paths.health) != nil)
                let proxyCreated = ZooKeeperACL([
                    ZooKeeperACL.Entry(scheme: "world", id: "anyone", permissions: .read),
                    proxyID,
                    operatorID,
                ])
                #expect(try await operatorClient.getACL(paths.effectiveRoute(of: "t1")) == proxyCreated)
                #expect(try await operatorClient.getACL(paths.health) == proxyCreated)
                // The operator changes the proxy's document (CLI pause); the proxy routes by it.
                #expect(try await admin.pause(table: "t1").after.paused)
                #expect(await eventually { store.state(of: "t1").routingDocument?.paused == true })
                #expect(store.activeCluster(for: try Self.route("t1")).name == "B")
            }
            storing.cancel()
            _ = await storing.result
            electing.cancel()
            await electing.value
            await proxyClient.close()

            // A wrong password is another identity: it reads, but every failover state write is denied.
            for credentials in [Self.wrongAuth, nil] {
                let otherACLs = ZooKeeperNodeACLs(credentials: credentials, failoverWriters: [operatorID])
                let other = try await Self.client(credentials, defaultACL: otherACLs.failoverState)
                let otherStore = ZooKeeperFailoverStateStore(
                    client: other, paths: paths, routes: FixedRouteStore([try Self.route("t1")]),
                    metrics: FailoverMetrics(), logger: TestLogging.quiet)
                let denied = await #expect(throws: FailoverStateError.self) {
                    try await otherStore.write(Self.effective("t2", on: "A"), expecting: .absent)
                }
                #expect(denied?.code == .unavailable)
                #expect(denied?.path == paths.effectiveRoute(of: "t2"))
                #expect(denied?.detail.contains("not authenticated") == true)
                let overwrite = await #expect(throws: ZooKeeperError.self) {
                    try await other.set(paths.effectiveRoute(of: "t1"), data: Array("{}".utf8))
                }
                #expect(overwrite?.code == .noAuth)
                let join = await #expect(throws: ZooKeeperError.self) {
                    try await other.create(paths.electionNodePrefix, mode: .ephemeralSequential)
                }
                #expect(join?.code == .noAuth)
                #expect(try await other.get(paths.effectiveRoute(of: "t1")).data.isEmpty == false)
                await other.close()
            }

            // Re-running init re-applies the failover ACL (e.g. after rotating the writers).
            let again = try await admin.prepareState()
            #expect(again.map(\.created) == [false, false, false, false, false])
            #expect(again.last?.path == paths.effectiveRoute(of: "t1"))
            #expect(try await operatorClient.getACL(paths.effectiveRoute(of: "t1")) == subtreeACL)
            await operatorClient.close()
        }
    }
}
