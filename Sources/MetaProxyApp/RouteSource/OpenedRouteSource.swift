import FailoverControl
import Router
import ServiceLifecycle

/// An opened route source (``ProxyConfiguration/RouteSource/open(failover:logger:)``): the store the
/// proxy routes by, with the services that keep it current and the failover coordination it supports.
public struct OpenedRouteSource: Sendable {
    /// The route store.
    public var store: any RouteStore
    /// How `/routes` names the source (``ProxyConfiguration/RouteSource/name``).
    public var name: String
    /// What must run for the store to stay current, in start order.
    public var services: [any Service]
    /// How failover state is shared: through the source's ZooKeeper session, or locally.
    public var coordination: FailoverRuntime.Coordination
    /// Where the source's ZooKeeper credentials came from (``ZooKeeperCredentials/source``), named when
    /// ZooKeeper denies a failover state write; `nil` without credentials.
    public var credentialsSource: String?
    /// Closes what the source opened (its ZooKeeper client); call after the services stopped.
    public var close: @Sendable () async -> Void

    /// Creates an opened source.
    public init(
        store: any RouteStore,
        name: String,
        services: [any Service],
        coordination: FailoverRuntime.Coordination,
        credentialsSource: String? = nil,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.name = name
        self.services = services
        self.coordination = coordination
        self.credentialsSource = credentialsSource
        self.close = close
    }
}
