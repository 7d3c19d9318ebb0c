import PegasusWire
import RouteModel

extension Endpoint {
    /// The leader named by a follower's `ERR_FORWARD_TO_OTHERS` reply (`partitions[0].primary`,
    /// and on current Pegasus also `hp_primary`, a host name).
    ///
    /// A candidate that is one of the cluster's configured MetaServers wins (so the pooled
    /// connection is reused); otherwise `hp_primary`, then `primary`. `nil` when neither is usable.
    static func leaderHint(address: RpcAddress?, hostPort: HostPort?, among metas: [Endpoint]) -> Endpoint? {
        var candidates: [Endpoint] = []
        if let hostPort, !hostPort.isInvalid, let hint = try? Endpoint(host: hostPort.host, port: Int(hostPort.port)) {
            candidates.append(hint)
        }
        if let address, !address.isInvalid, let hint = try? Endpoint(parsing: address.description) {
            candidates.append(hint)
        }
        return candidates.first(where: metas.contains) ?? candidates.first
    }
}
