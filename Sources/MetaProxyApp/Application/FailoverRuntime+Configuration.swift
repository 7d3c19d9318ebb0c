import FailoverControl
import FailoverPolicy
import Logging
import NIOCore
import PegasusWire
import Router
import ZooKeeper

extension FailoverRuntime {
    /// The admin endpoints: `GET /failover`.
    public var adminHandlers: [String: AdminServer.Handler] {
        ["/failover": { _ in .json(self.statusJSON()) }]
    }

    /// Builds the runtime a configuration asks for: policies and history size from its `failover`
    /// section, the instance id from its listen port, ZooKeeper coordination when `zooKeeper` is given.
    /// - Parameters:
    ///   - configuration: The validated configuration.
    ///   - routes: The data path's route store.
    ///   - zooKeeper: The route source's ZooKeeper client, or `nil` for a routes file.
    ///   - group: The event loops.
    ///   - logger: The runtime's logger.
    /// - Throws: ``PolicyError`` for an invalid policy file.
    public convenience init(
        configuration: ProxyConfiguration,
        routes: any RouteStore,
        zooKeeper: ZooKeeperClient?,
        group: any EventLoopGroup,
        logger: Logger
    ) throws(PolicyError) {
        let coordination: Coordination
        var credentialsSource: String?
        if let zooKeeper, case .zookeeper(let settings) = configuration.routeSource {
            coordination = .zooKeeper(zooKeeper, root: settings.root)
            credentialsSource = settings.auth?.source
        } else {
            coordination = .local(stateFile: configuration.failover.stateFile)
        }
        try self.init(
            settings: Settings(
                policiesDirectory: configuration.failover.policiesDirectory,
                historyLimit: configuration.failover.historySize,
                instanceID: Self.instanceID(listenPort: configuration.server.listen.port),
                credentialsSource: credentialsSource
            ),
            routes: routes,
            coordination: coordination,
            group: group,
            logger: logger
        )
    }
}
