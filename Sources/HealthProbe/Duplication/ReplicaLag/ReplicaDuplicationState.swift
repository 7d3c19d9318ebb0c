import PegasusWire

/// One primary replica's duplication state from a ReplicaServer's `GET /replica/duplication?appid=N`.
public struct ReplicaDuplicationState: Sendable, Hashable {
    /// `duplicating`.
    public var duplicating: Bool
    /// `fail_mode`.
    public var failMode: DuplicationFailMode?
    /// `not_confirmed_mutations_num`: live `last_committed_decree - confirmed_decree`, floored at 0.
    public var notConfirmedMutations: Int64
    /// `not_duplicated_mutations_num`: live `last_committed_decree - last_decree_shipped`, floored at 0.
    public var notDuplicatedMutations: Int64
    /// `remote_app_name`; master only.
    public var remoteAppName: String?

    /// Creates a state.
    /// - Parameters:
    ///   - duplicating: Whether the replica is duplicating.
    ///   - failMode: The fail mode.
    ///   - notConfirmedMutations: Mutations not confirmed by the remote.
    ///   - notDuplicatedMutations: Mutations not shipped yet.
    ///   - remoteAppName: The table name on the backup.
    public init(
        duplicating: Bool,
        failMode: DuplicationFailMode? = nil,
        notConfirmedMutations: Int64,
        notDuplicatedMutations: Int64,
        remoteAppName: String? = nil
    ) {
        self.duplicating = duplicating
        self.failMode = failMode
        self.notConfirmedMutations = notConfirmedMutations
        self.notDuplicatedMutations = notDuplicatedMutations
        self.remoteAppName = remoteAppName
    }
}
