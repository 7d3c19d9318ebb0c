import CZooKeeper

/// A znode's metadata (the C client's `struct Stat`), copied out of the C callback.
public struct ZooKeeperStat: Hashable, Sendable {
    /// The zxid of the change that created the node.
    public var czxid: Int64
    /// The zxid of the change that last modified the node's data.
    public var mzxid: Int64
    /// Creation time, milliseconds since the epoch.
    public var ctime: Int64
    /// Last modification time, milliseconds since the epoch.
    public var mtime: Int64
    /// The number of changes to the node's data; the version for compare-and-set.
    public var version: Int32
    /// The number of changes to the node's children.
    public var cversion: Int32
    /// The number of changes to the node's ACL.
    public var aversion: Int32
    /// The session id owning the node if it is ephemeral, else 0.
    public var ephemeralOwner: Int64
    /// The length of the node's data in bytes.
    public var dataLength: Int32
    /// The number of children.
    public var numChildren: Int32
    /// The zxid of the change that last modified the node's children.
    public var pzxid: Int64

    /// Whether the node is ephemeral.
    public var isEphemeral: Bool { ephemeralOwner != 0 }

    /// Copies a C `Stat`.
    init(_ stat: Stat) {
        self.czxid = stat.czxid
        self.mzxid = stat.mzxid
        self.ctime = stat.ctime
        self.mtime = stat.mtime
        self.version = stat.version
        self.cversion = stat.cversion
        self.aversion = stat.aversion
        self.ephemeralOwner = stat.ephemeralOwner
        self.dataLength = stat.dataLength
        self.numChildren = stat.numChildren
        self.pzxid = stat.pzxid
    }
}
