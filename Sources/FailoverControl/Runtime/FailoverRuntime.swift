import FailoverPolicy
import HealthProbe
import Logging
import Metrics
import NIOCore
import NIOPosix
import PegasusWire
import RouteModel
import Router
import ServiceLifecycle
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Assembles the failover machinery of one instance: the policy store, the health prober (with its
/// HTTP client on a dedicated thread pool, RPC probe and RPC duplication source), the failover state
/// store the proxy routes by, the decider (with its ZooKeeper election and health publication) and,
/// on ZooKeeper, the catalog of the protected tables (``RouteCatalogLoader``, over the protected-table
/// index) with the decider's repair scan of that index (``ProtectedIndexScanner``).
///
/// `meta-proxy serve` passes ``stateStore`` as `effective:` and ``adminHandlers`` as `extraAdmin:`
/// to ``ProxyApplication``, runs ``services`` in its service group, and calls ``shutdown()`` after.
public final class FailoverRuntime: Sendable {
    /// Where the failover state lives.
    public enum Coordination: Sendable {
        /// Shared through ZooKeeper under `root` (``FailoverPaths``); one decider is elected.
        case zooKeeper(ZooKeeperClient, root: String)
        /// In memory, saved to `stateFile` when given; this instance decides alone. The catalog is
        /// the route store itself.
        case local(stateFile: String?)
    }

    /// What the runtime needs besides the route source.
    public struct Settings: Sendable {
        /// The policy directory (`failover.policies_dir`).
        public var policiesDirectory: String
        /// The bound of each effective route's history (`failover.history_size`).
        public var historyLimit: Int
        /// This instance's id (``FailoverRuntime/instanceID(listenPort:)``).
        public var instanceID: String
        /// Threads running blocking libcurl transfers.
        public var probeThreads: Int
        /// The decider's shortest tick.
        public var minimumTick: Duration
        /// Where the ZooKeeper credentials came from (``ZooKeeperCredentials/source``), named in the error
        /// logged when ZooKeeper denies a failover state write; `nil` without credentials.
        public var credentialsSource: String?
        /// `failover.hooks`: called on every decision and refusal episode; `nil` for none.
        public var hooks: FailoverHookSettings?
        /// `failover.peer_roots`: other roots whose instances count as observers (ZooKeeper only).
        public var peerRoots: [String]
        /// The client listen address, published in the ``InstanceRecord``.
        public var listenAddress: String
        /// The admin listen address, published in the ``InstanceRecord``; `nil` when none.
        public var adminAddress: String?
        /// The decider's reconciliation scan of the protected-table index (ZooKeeper only).
        public var catalogScan: ProtectedIndexScanner.Settings

        /// Creates settings.
        public init(
            policiesDirectory: String,
            historyLimit: Int = EffectiveRoute.defaultHistoryLimit,
            instanceID: String,
            probeThreads: Int = 4,
            minimumTick: Duration = .milliseconds(200),
            credentialsSource: String? = nil,
            hooks: FailoverHookSettings? = nil,
            peerRoots: [String] = [],
            listenAddress: String = "",
            adminAddress: String? = nil,
            catalogScan: ProtectedIndexScanner.Settings = ProtectedIndexScanner.Settings()
        ) {
            self.catalogScan = catalogScan
            self.peerRoots = peerRoots
            self.listenAddress = listenAddress
            self.adminAddress = adminAddress
            self.credentialsSource = credentialsSource
            self.hooks = hooks
            self.policiesDirectory = policiesDirectory
            self.historyLimit = historyLimit
            self.instanceID = instanceID
            self.probeThreads = probeThreads
            self.minimumTick = minimumTick
        }
    }

    /// The routing view: pass it to ``ProxyApplication`` as `effective:`.
    public let stateStore: any FailoverStateStore
    /// The health prober.
    public let prober: HealthProber
    /// The decider.
    public let decider: FailoverDecider
    /// The policies.
    public let policies: PolicyStore
    /// The election, on ZooKeeper.
    public let election: DeciderElection?
    /// The instance records under the root and the peer roots, on ZooKeeper (refreshed by the decider).
    public let observers: ObserverReader?
    /// Every long-running part, in start order.
    public let services: [any Service]
    private let threadPool: NIOThreadPool
    private let upstreams: ProbeUpstreams
    private let settings: Settings
    /// Reads the decider's published health node; `nil` without ZooKeeper.
    private let publishedHealth: (@Sendable () async -> HealthSnapshot?)?

    /// Builds the runtime (nothing runs until ``services`` do).
    /// - Parameters:
    ///   - settings: Policies, history bound, identity.
    ///   - routes: The data path's route store.
    ///   - coordination: ZooKeeper or local.
    ///   - group: The event loops for the probes' MetaServer connections.
    ///   - metricsFactory: The metrics backend.
    ///   - logger: The runtime's logger.
    /// - Throws: ``PolicyError`` when the policy directory exists and a file in it is invalid.
    public init(
        settings: Settings,
        routes: any RouteStore,
        coordination: Coordination,
        group: any EventLoopGroup,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) throws(PolicyError) {
        let policies = try PolicyStore(directory: settings.policiesDirectory, metricsFactory: metricsFactory, logger: logger)
        let metrics = FailoverMetrics(factory: metricsFactory)
        let threadPool = NIOThreadPool(numberOfThreads: max(1, settings.probeThreads))
        threadPool.start()
        let http = CurlHTTPClient(threadPool: threadPool)
        let upstreams = ProbeUpstreams(group: group, logger: logger)
        let prober = HealthProber(
            httpClient: http,
            rpcProbe: UpstreamRPCHealthProbe(upstreams: upstreams),
            duplicationSource: RPCDuplicationSource(
                upstreams: upstreams,
                fallback: HTTPDuplicationSource(client: http),
                replicaLag: ReplicaLagReader(client: http)
            ),
            metricsFactory: metricsFactory,
            logger: logger
        )
        let deciderSettings = FailoverDecider.Settings(
            instanceID: settings.instanceID,
            historyLimit: settings.historyLimit,
            minimumTick: settings.minimumTick
        )
        let store: any FailoverStateStore
        let catalog: any RouteStore
        let election: DeciderElection?
        let publisher: HealthPublisher?
        let tracker = LastAliveTracker()
        let observerSource: any ObserverSource
        let observers: ObserverReader?
        var instanceRecordNode: (client: ZooKeeperClient, paths: FailoverPaths)?
        let publishedHealth: (@Sendable () async -> HealthSnapshot?)?
        let lagStore: PersistedLagStore?
        var zooKeeperClock: ZooKeeperClock?
        var services: [any Service]
        switch coordination {
        case .zooKeeper(let client, let root):
            let paths = FailoverPaths(root: root)
            let writeFailures = StateWriteFailures(
                metrics: metrics, credentialsSource: settings.credentialsSource, logger: logger)
            let zooKeeperStore = ZooKeeperFailoverStateStore(
                client: client,
                paths: paths,
                routes: routes,
                metrics: metrics,
                writeFailures: writeFailures,
                logger: logger
            )
            var catalogLogger = logger
            catalogLogger[metadataKey: "metaproxy.component"] = "failover-catalog"
            // The catalog holds the protected tables only (those of the protected-table index): route
            // nodes without backups are never read here, however many the root holds. The loader asks
            // only for indexed tables, and asks again when the index changes: no absence is remembered,
            // so an entry deleted and re-created is loaded at once.
            let catalogStore = ZooKeeperRouteStore(
                client: client, root: root, capacity: 1 << 20, negativeCacheTTL: .zero, logger: catalogLogger)
            let loader = RouteCatalogLoader(client: client, root: root, store: catalogStore, logger: catalogLogger)
            store = zooKeeperStore
            catalog = catalogStore
            let deciderElection = DeciderElection(
                client: client,
                paths: paths,
                instanceID: settings.instanceID,
                metrics: metrics,
                writeFailures: writeFailures,
                logger: logger
            )
            election = deciderElection
            let scanner = ProtectedIndexScanner(
                client: client, paths: paths, election: deciderElection, settings: settings.catalogScan,
                logger: catalogLogger)
            publisher = HealthPublisher(
                client: client, path: paths.health, writeFailures: writeFailures, logger: logger)
            let clock = ZooKeeperClock()
            zooKeeperClock = clock
            let reader = ObserverReader(
                client: client, root: root, peerRoots: settings.peerRoots, ownInstance: settings.instanceID,
                clock: clock, tracker: tracker, logger: logger)
            observers = reader
            observerSource = reader
            instanceRecordNode = (client, paths)
            publishedHealth = {
                guard let (data, _) = try? await client.get(paths.health) else { return nil }
                return try? HealthSnapshot(jsonBytes: data)
            }
            lagStore = PersistedLagStore(
                client: client, paths: paths, instanceID: settings.instanceID, writeFailures: writeFailures,
                logger: logger)
            services = [catalogStore, loader, zooKeeperStore, scanner]
        case .local(let stateFile):
            store = LocalFailoverStateStore(metrics: metrics, stateFile: stateFile, logger: logger)
            catalog = routes
            election = nil
            publisher = nil
            observers = nil
            observerSource = LocalObserverSource(tracker: tracker)
            publishedHealth = nil
            lagStore = nil
            services = []
        }
        let decider = FailoverDecider(
            settings: deciderSettings,
            store: store,
            catalog: catalog,
            prober: prober,
            policies: policies,
            election: election,
            healthPublisher: publisher,
            lagStore: lagStore,
            zooKeeperClock: zooKeeperClock,
            metrics: metrics,
            hooks: settings.hooks.map { hookSettings in
                FailoverHooks(
                    settings: hookSettings, http: hookSettings.url == nil ? nil : http, metricsFactory: metricsFactory,
                    logger: logger)
            },
            logger: logger,
            observerSource: observerSource
        )
        services += [prober, decider]
        if let (client, paths) = instanceRecordNode, let clock = observers?.clock {
            let identity = InstancePublisher.Identity(
                instance: settings.instanceID,
                host: Self.hostName(),
                pid: Int(getpid()),
                admin: settings.adminAddress,
                listen: settings.listenAddress,
                startedAt: Date(),
                routeSource: .zookeeper
            )
            let instancePublisher = InstancePublisher(
                client: client, paths: paths, identity: identity, clock: clock, tracker: tracker,
                source: { [prober, decider, catalog, store] in
                    InstanceRecordSource.Inputs(
                        snapshot: prober.snapshot(),
                        decider: decider.isDecider,
                        routes: InstanceRecordSource.routeViews(catalog.allCachedRoutes(), store: store)
                    )
                },
                logger: logger)
            services.append(instancePublisher)
        }
        self.stateStore = store
        self.prober = prober
        self.decider = decider
        self.policies = policies
        self.election = election
        self.observers = observers
        self.services = services
        self.threadPool = threadPool
        self.upstreams = upstreams
        self.settings = settings
        self.publishedHealth = publishedHealth
    }

    /// This instance's `GET /failover` document (see ``FailoverStatusDocument``) as JSON.
    public func statusJSON() -> String {
        statusDocument().render()
    }

    /// ``statusJSON()``, except that an instance that is not the decider shows the decider's published
    /// duplication observations (read from ZooKeeper now): only the decider reads duplications, so
    /// its observations are the ones that count. Its own cluster health stays its own.
    public func currentStatusJSON() async -> String {
        var document = statusDocument()
        if !document.isDecider, let publishedHealth, let published = await publishedHealth() {
            document.health.duplications = published.duplications
            document.health.duplicationFailures = published.duplicationFailures
            document.health.pendingDuplications = published.pendingDuplications
        }
        return document.render()
    }

    /// Closes the probes' connections and stops the curl thread pool; call after ``services`` stopped.
    public func shutdown() async {
        await upstreams.close()
        try? await threadPool.shutdownGracefully()
    }

    /// `<hostname>:<pid>:<listen port>`.
    public static func instanceID(listenPort: Int) -> String {
        "\(hostName()):\(getpid()):\(listenPort)"
    }

    /// This host's name, `localhost` when unknown.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func statusDocument() -> FailoverStatusDocument {
        FailoverStatusDocument(
            instanceID: settings.instanceID,
            isDecider: decider.isDecider,
            election: election?.status(),
            stateStore: stateStore.status(),
            policies: FailoverStatusDocument.Policies(
                directory: policies.directory,
                missing: policies.isMissing,
                lastError: policies.lastError,
                loaded: policies.summaries()
            ),
            protectedTables: decider.protectedTables(),
            effectiveRoutes: stateStore.documents(),
            refusals: decider.refusals(),
            health: prober.snapshot()
        )
    }
}
