/// One primary replica's duplication state from a ReplicaServer's `GET /replica/duplication?appid=N`.
public struct ReplicaDuplicationState: Sendable, Hashable, Codable {
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

/// A partition id `<app_id>.<partition_index>` (rDSN `gpid`).
public struct Gpid: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The table's app id.
    public var appId: Int32
    /// The partition index.
    public var partitionIndex: Int32

    /// Creates a gpid.
    /// - Parameters:
    ///   - appId: The app id.
    ///   - partitionIndex: The partition index.
    public init(appId: Int32, partitionIndex: Int32) {
        self.appId = appId
        self.partitionIndex = partitionIndex
    }

    /// Parses `"<app_id>.<pidx>"`; `nil` when malformed.
    /// - Parameter text: The text form.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let appId = Int32(parts[0]), let index = Int32(parts[1]) else { return nil }
        self.init(appId: appId, partitionIndex: index)
    }

    /// `"<app_id>.<pidx>"`.
    public var description: String { "\(self.appId).\(self.partitionIndex)" }
}
