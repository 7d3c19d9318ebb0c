import Logging
import NIOCore
import NIOPosix
import PegasusWire
import Synchronization

/// A simulated Apache Pegasus cluster on loopback: MetaServers that serve THFT RPC and HTTP on one
/// port each, and ReplicaServers with an in-memory key-value store, all driven by one shared state
/// that the control calls change (leader, failures, latency, duplication, write load).
///
/// ```swift
/// let cluster = try SimCluster(configuration: SimClusterConfiguration(
///     name: "simA", tables: [SimTable(name: "t1", partitionCount: 8)]))
/// try await cluster.start()
/// defer { Task { await cluster.stop() } }
/// print(cluster.metaAddresses)   // ["127.0.0.1:40123", ...]
/// ```
public final class SimCluster: Sendable {
    /// The configuration the cluster was built from.
    public let configuration: SimClusterConfiguration
    let core: SimClusterCore
    private let metaEndpoints: [SimEndpoint]
    private let replicaEndpoints: [SimEndpoint]
    let group: any EventLoopGroup
    private let logger: Logger

    /// Builds a cluster; nothing listens until `start()`.
    /// - Parameters:
    ///   - configuration: The cluster to simulate.
    ///   - eventLoopGroup: Where its sockets run. Default: NIO's shared singleton.
    ///   - logger: Lifecycle at info, requests at trace. Default: discards everything.
    /// - Throws: `SimError.Code.invalidConfiguration`.
    public init(
        configuration: SimClusterConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "pegasus-sim", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(SimError) {
        try configuration.validate()
        var logger = logger
        logger[metadataKey: SimLoggingKeys.cluster] = "\(configuration.name)"
        let core = SimClusterCore(SimClusterState(configuration: configuration, now: SimClock.unixSeconds()))
        func endpoint(_ role: SimNodeID.Role, _ index: Int, offset: Int) -> SimEndpoint {
            SimEndpoint(
                node: SimNodeID(role: role, index: index),
                host: configuration.host,
                port: configuration.basePort.map { $0 + offset } ?? 0,
                group: eventLoopGroup,
                core: core,
                logger: logger
            )
        }
        self.configuration = configuration
        self.core = core
        self.group = eventLoopGroup
        self.logger = logger
        self.metaEndpoints = (0..<configuration.metaCount).map { endpoint(.meta, $0, offset: $0) }
        self.replicaEndpoints = (0..<configuration.replicaCount).map {
            endpoint(.replica, $0, offset: configuration.metaCount + $0)
        }
    }

    /// Opens every listener. Nodes killed before are revived.
    /// - Throws: `SimError.Code.bindFailed` when a port cannot be bound (the others are closed again).
    public func start() async throws(SimError) {
        do {
            try await open(allNodes).get()
        } catch {
            await stop()
            throw error as? SimError ?? SimError(.bindFailed, subject: configuration.name, detail: "\(error)")
        }
        logger.info(
            "cluster started", metadata: ["sim.metas": "\(metaAddresses)", "sim.replicas": "\(replicaAddresses)"])
    }

    /// Closes every listener and connection.
    public func stop() async {
        _ = try? await close(allNodes).get()
    }

    /// The MetaServers' `host:port`, by index (empty strings before `start()`).
    public var metaAddresses: [String] {
        core.state.withLock { $0.metas.map { $0.address?.description ?? "" } }
    }

    /// The ReplicaServers' `host:port`, by index (empty strings before `start()`).
    public var replicaAddresses: [String] {
        core.state.withLock { $0.replicas.map { $0.address?.description ?? "" } }
    }

    /// The tables with their resolved app ids, in configuration order.
    public var tables: [SimTableInfo] {
        core.state.withLock { state in
            state.tables.map { SimTableInfo(name: $0.name, appId: $0.appId, partitionCount: $0.partitions.count) }
        }
    }

    /// Every node, MetaServers first.
    var allNodes: [SimNodeID] {
        metaEndpoints.map(\.node) + replicaEndpoints.map(\.node)
    }

    /// Opens the listeners of `nodes` and marks them alive.
    func open(_ nodes: [SimNodeID]) -> EventLoopFuture<Void> {
        let opened = nodes.map { node in
            endpoint(node).open().map { address in
                self.core.state.withLock { state in
                    state[node].address = address
                    state[node].alive = true
                }
            }
        }
        return EventLoopFuture.andAllSucceed(opened, on: group.any())
    }

    /// Marks `nodes` dead and closes their listeners and connections.
    func close(_ nodes: [SimNodeID]) -> EventLoopFuture<Void> {
        core.state.withLock { state in
            for node in nodes {
                state[node].alive = false
            }
        }
        return EventLoopFuture.andAllComplete(nodes.map { endpoint($0).close() }, on: group.any())
    }

    private func endpoint(_ node: SimNodeID) -> SimEndpoint {
        switch node.role {
        case .meta: metaEndpoints[node.index]
        case .replica: replicaEndpoints[node.index]
        }
    }
}

extension SimCluster {
    /// One JSON line describing the running cluster, for test harnesses:
    /// `{"cluster":"NAME","metas":[…],"replicas":[…],"control":"host:port",`
    /// `"tables":{"t1":{"app_id":1,"partition_count":8}}}`.
    /// - Parameter controlAddress: The control server's address, if any (`control` is omitted without one).
    public func summaryJSON(controlAddress: String?) -> String {
        var pairs: [(String, SimJSON)] = [
            ("cluster", .string(configuration.name)),
            ("metas", .array(metaAddresses.map(SimJSON.string))),
            ("replicas", .array(replicaAddresses.map(SimJSON.string))),
        ]
        if let controlAddress {
            pairs.append(("control", .string(controlAddress)))
        }
        let tables = self.tables.map { table -> (String, SimJSON) in
            (
                table.name,
                .object([
                    ("app_id", .integer(Int64(table.appId))),
                    ("partition_count", .integer(Int64(table.partitionCount))),
                ])
            )
        }
        pairs.append(("tables", .object(tables)))
        return SimJSON.object(pairs).render()
    }
}

/// A table of a simulated cluster, with its resolved app id.
public struct SimTableInfo: Hashable, Sendable {
    /// The table name.
    public var name: String
    /// The app id.
    public var appId: Int32
    /// The number of partitions.
    public var partitionCount: Int
}
