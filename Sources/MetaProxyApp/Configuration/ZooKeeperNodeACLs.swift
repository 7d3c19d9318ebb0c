import PegasusWire
import RouteModel
import Router
import ZooKeeper

/// The ACLs meta-proxy gives the ZooKeeper nodes it creates (the scheme is described in docs/security.md).
///
/// | nodes | without credentials | with credentials |
/// |---|---|---|
/// | `<root>`, `<root>/<table>` (declared routes) | `world:anyone:cdrwa` | `world:anyone:r`, creator `cdrwa` |
/// | `<root>/.meta-proxy/**` (failover state) | `world:anyone:cdrwa` | `world:anyone:r`, creator `cdrwa`, each failover writer `cdrwa` |
///
/// "creator" is ZooKeeper's `auth` scheme: the authenticated ids of the creating session (for digest
/// credentials `digest:user:base64(sha1(user:password))`). So with credentials, anyone may read routes and
/// failover state; only the operator identity that wrote a route may change it; the failover state may be
/// changed by whoever created it and by the ids in `zookeeper.failover_writers` (the proxies' and the
/// operators' ids).
public struct ZooKeeperNodeACLs: Sendable, Equatable {
    /// For `<root>` and the table nodes (`route set`, `failover switch` in route mode).
    public var routes: ZooKeeperACL
    /// For every node under `<root>/.meta-proxy` (``FailoverPaths``).
    public var failoverState: ZooKeeperACL

    /// The ACLs for a session with `credentials` (or none) and the extra failover writers.
    public init(credentials: ZooKeeperCredentials?, failoverWriters: [ZooKeeperACL.Entry]) {
        guard credentials != nil else {
            routes = .openUnsafe
            failoverState = .openUnsafe
            return
        }
        routes = .readOnlyWorldCreatorAll
        var failover = ZooKeeperACL.readOnlyWorldCreatorAll.entries
        for writer in failoverWriters where !failover.contains(writer) {
            failover.append(writer)
        }
        failoverState = ZooKeeperACL(failover)
    }

    /// The ACLs for `settings` (`zookeeper.auth`/`auth_file` and `zookeeper.failover_writers`).
    public init(_ settings: ProxyConfiguration.ZooKeeperSettings) {
        self.init(credentials: settings.auth, failoverWriters: settings.failoverWriters)
    }

    /// A failover writer entry, all permissions, from a ZooKeeper id `scheme:id`: `digest:user:hash`
    /// (the hash is base64 of 28 characters), `ip:10.0.0.0/8`, `sasl:name`, …
    ///
    /// Returns `nil` for text without a scheme or id, for a `world` or `auth` id (those are not identities of
    /// one writer), and for a `digest` id that is not `user:hash` (a likely `user:password` mistake:
    /// passwords never go into ACLs).
    public static func writer(parsing text: String) -> ZooKeeperACL.Entry? {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let scheme = parts.first, let id = parts.last, !scheme.isEmpty, !id.isEmpty,
            scheme != "world", scheme != "auth"
        else { return nil }
        if scheme == "digest" {
            let userAndHash = id.split(separator: ":", omittingEmptySubsequences: false)
            guard userAndHash.count == 2, let hash = userAndHash.last, !userAndHash[0].isEmpty,
                hash.utf8.count == 28, hash.hasSuffix("=")
            else { return nil }
        }
        return ZooKeeperACL.Entry(scheme: String(scheme), id: String(id), permissions: .all)
    }
}
