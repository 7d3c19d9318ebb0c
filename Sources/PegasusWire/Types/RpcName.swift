/// rDSN RPC code names used by MetaServer clients (docs/pegasus-reference.md §3.4, §6.4).
public enum RpcName {
    /// Query a table's partition configuration (`query_cfg`).
    public static let queryConfig = "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX"
    /// The reply name of ``queryConfig`` (`ack(queryConfig)`, as a constant).
    public static let queryConfigAck = "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK"
    /// List tables (`list_apps`).
    public static let listApps = "RPC_CM_LIST_APPS"
    /// Cluster information, leader only (`query_cluster_info`).
    public static let clusterInfo = "RPC_CM_CLUSTER_INFO"
    /// A table's duplications (`query_duplication`).
    public static let queryDuplication = "RPC_CM_QUERY_DUPLICATION"
    /// SASL negotiation, answered by every rDSN server (`negotiate`).
    public static let negotiation = "RPC_NEGOTIATION"
    /// List replica nodes (`list_nodes`).
    public static let listNodes = "RPC_CM_LIST_NODES"
    /// Sets, deletes or clears a table's app envs (`update_app_env`).
    public static let updateAppEnv = "RPC_CM_UPDATE_APP_ENV"

    /// The reply name paired with a request name: `name + "_ACK"` (docs/pegasus-reference.md §4).
    public static func ack(_ name: String) -> String {
        name + "_ACK"
    }
}
