import AdminHTTP
import FailoverControl
import FailoverPolicy
import Foundation
import HealthProbe
import Logging
import NIOCore
import PegasusWire

extension FailoverRuntime {
    /// The admin endpoints: `GET /failover` (JSON) and `GET /status` (the HTML status page, ``StatusPage``).
    public var adminHandlers: [String: AdminServer.Handler] {
        [
            "/failover": { _ in .json(await self.currentStatusJSON()) },
            "/status": { _ in
                await self.observers?.refreshIfDue()
                return AdminResponse(
                    contentType: "text/html; charset=utf-8", body: StatusPage(input: self.statusPageInput()).render())
            },
        ]
    }

    /// What the status page shows, read now.
    func statusPageInput() -> StatusPage.Input {
        StatusPage.Input(
            instance: decider.settings.instanceID,
            isDecider: decider.isDecider,
            store: stateStore.status(),
            policies: policies.summaries(),
            health: prober.snapshot(),
            effectiveRoutes: stateStore.documents(),
            refusals: decider.refusals(),
            fleet: observers?.fleet(),
            now: Date()
        )
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
                credentialsSource: routeSource.credentialsSource,
                hooks: configuration.failover.hooks,
                peerRoots: configuration.failover.peerRoots,
                listenAddress: configuration.server.listen.description,
                adminAddress: configuration.server.adminListen.description,
                catalogScan: configuration.failover.catalogScan
            ),
            routes: routeSource.store,
            coordination: routeSource.coordination,
            group: group,
            logger: logger
        )
    }
}
