/// The `general` section of the leader's `GET /meta/app?name=<table>` body (all values are JSON strings).
public struct MetaAppInfo: Sendable, Hashable {
    /// `app_name`.
    public var appName: String
    /// `app_id`.
    public var appId: Int32
    /// `partition_count`.
    public var partitionCount: Int
    /// `max_replica_count`, when present.
    public var maxReplicaCount: Int?

    /// Creates table info.
    /// - Parameters:
    ///   - appName: The table name.
    ///   - appId: The table's app id.
    ///   - partitionCount: The number of partitions.
    ///   - maxReplicaCount: The configured replica count.
    public init(appName: String, appId: Int32, partitionCount: Int, maxReplicaCount: Int? = nil) {
        self.appName = appName
        self.appId = appId
        self.partitionCount = partitionCount
        self.maxReplicaCount = maxReplicaCount
    }
}
