/// A table of a simulated cluster, with its resolved app id.
public struct SimTableInfo: Hashable, Sendable {
    /// The table name.
    public var name: String
    /// The app id.
    public var appId: Int32
    /// The number of partitions.
    public var partitionCount: Int
}
