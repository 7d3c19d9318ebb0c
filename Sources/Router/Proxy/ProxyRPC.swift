import PegasusWire

/// The proxy's RPC dispatch table: the RPCs a client connection serves, by name. A request whose
/// name is not here gets rDSN's reply for an RPC without handler (`ERR_HANDLER_NOT_FOUND`).
///
/// Adding an RPC is one entry: its case, named in ``init(name:)``. The compiler then asks for its
/// handler in ``ProxyConnectionHandler/serve(_:context:started:)``, which switches over this type
/// exhaustively (and sends `nil`, no entry, to the handler-not-found reply).
///
/// The lookup is a `switch` over the names, i.e. one string comparison per entry until one
/// matches (the same single comparison per request as before the table, with one entry): no
/// hashing, no dictionary, no allocation on the per-request path.
enum ProxyRPC: Equatable {
    /// `RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX`: a table's partition configuration, relayed from
    /// the table's effective cluster.
    case queryConfig

    /// The RPC named `name`, or `nil` if the proxy has no handler for it.
    @inline(__always)
    init?(name: String) {
        switch name {
        case RpcName.queryConfig: self = .queryConfig
        default: return nil
        }
    }
}
