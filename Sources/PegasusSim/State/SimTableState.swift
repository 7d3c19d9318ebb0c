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
    /// Creation time in seconds (the cluster's start).
    var createSecond: Int64
    /// App envs (`RPC_CM_UPDATE_APP_ENV`), e.g. `replica.deny_client_request`.
    var envs: [String: String] = [:]

    /// Every partition's last committed decree.
    var lastCommittedDecrees: [Int64] { partitions.map(\.lastCommittedDecree) }
}
