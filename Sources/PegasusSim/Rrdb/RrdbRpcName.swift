/// ReplicaServer RPC names of the `rrdb` service that the simulator serves (idl/rrdb.thrift).
public enum RrdbRpcName {
    /// `put(update_request)` -> `update_response`.
    public static let put = "RPC_RRDB_RRDB_PUT"
    /// `get(blob key)` -> `read_response`.
    public static let get = "RPC_RRDB_RRDB_GET"
    /// `remove(blob key)` -> `update_response`.
    public static let remove = "RPC_RRDB_RRDB_REMOVE"
    /// `ttl(blob key)` -> `ttl_response`.
    public static let ttl = "RPC_RRDB_RRDB_TTL"
}
