extension RpcName {
    /// Set, delete or clear a table's app envs, leader only (`update_app_env`).
    public static let updateAppEnv = "RPC_CM_UPDATE_APP_ENV"
}
