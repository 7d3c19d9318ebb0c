import PegasusWire

/// A bound listener's IPv4 host and port.
struct SimAddress: Hashable, Sendable, CustomStringConvertible {
    /// IPv4 text, e.g. `127.0.0.1`.
    var host: String
    /// TCP port.
    var port: Int

    /// `host:port`.
    var description: String { "\(host):\(port)" }

    /// The rDSN `rpc_address` of this endpoint (`.invalid` if the host is not IPv4).
    var rpcAddress: RpcAddress {
        RpcAddress(parsing: description) ?? .invalid
    }

    /// The rDSN `host_port` of this endpoint.
    var hostPort: HostPort {
        HostPort(host: host, port: UInt16(truncatingIfNeeded: port))
    }
}
