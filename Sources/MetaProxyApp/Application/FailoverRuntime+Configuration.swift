import AdminHTTP
import FailoverControl
import FailoverPolicy
import Logging
import NIOCore
import PegasusWire

extension FailoverRuntime {
    /// The admin endpoints: `GET /failover`.
    public var adminHandlers: [String: AdminServer.Handler] {
        ["/failover": { _ in .json(await self.currentStatusJSON()) }]
    }

    /// Builds the runtime a configuration asks for: policies and history size from its `failover`
    /// section, the instance id from its listen port, the coordination the route source supports.
    /// - Parameters:
    ///   - configuration: The validated configuration.
    ///   - routeSource: The opened route source: the data path's store and the coordination.
    ///   - group: The event loops.
    ///   - logger: The runtime's logger.
    /// - Throws: ``PolicyError`` for an invalid policy file.
    public convenience init(
        configuration: ProxyConfiguration,
        routeSource: OpenedRouteSource,
        group: any EventLoopGroup,
        logger: Logger
    ) throws(PolicyError) {
        try self.init(
            settings: Settings(
                policiesDirectory: configuration.failover.policiesDirectory,
                historyLimit: configuration.failover.historySize,
                instanceID: Self.instanceID(listenPort: configuration.server.listen.port),
                credentialsSource: routeSource.credentialsSource
            ),
            routes: routeSource.store,
            coordination: routeSource.coordination,
            group: group,
            logger: logger
        )
    }
}
