/// Runtime state of one table.
struct SimTableState: Sendable {
    /// Table name.
    var name: String
    /// App id.
    var appId: Int32
    /// Partitions, by index.
    var partitions: [SimPartitionState]
    /// Duplications, in creation order.
    var duplications: [SimDuplicationState] = []
    /// App envs (`app_info.envs`), set through `RPC_CM_UPDATE_APP_ENV`.
    var envs: [String: String] = [:]
    /// Creation time in seconds (the cluster's start).
    var createSecond: Int64

    /// Every partition's last committed decree.
    var lastCommittedDecrees: [Int64] { partitions.map(\.lastCommittedDecree) }
}
