/// One operation of an atomic ``ZooKeeperClient/multi(_:)`` transaction (a `zoo_op_t`).
public enum ZooKeeperOperation: Sendable, Hashable {
    /// Requires the node to exist at `version` (`-1`: to exist at all); changes nothing.
    case check(path: String, version: Int32)
    /// Creates a node (`acl` `nil` = ``ZooKeeperConfiguration/defaultACL``); the parent must exist.
    case create(path: String, data: [UInt8], mode: CreateMode, acl: ZooKeeperACL?)
    /// Writes a node's data if its version is `version` (`-1`: any).
    case set(path: String, data: [UInt8], version: Int32)
    /// Deletes a node if its version is `version` (`-1`: any).
    case delete(path: String, version: Int32)

    /// The node the operation names.
    public var path: String {
        switch self {
        case .check(let path, _), .create(let path, _, _, _), .set(let path, _, _), .delete(let path, _): path
        }
    }

    /// Creates a persistent node with the default ACL.
    public static func create(path: String, data: [UInt8]) -> ZooKeeperOperation {
        .create(path: path, data: data, mode: .persistent, acl: nil)
    }
}

/// The outcome of one operation of a successful ``ZooKeeperClient/multi(_:)``, in operation order.
public enum ZooKeeperOperationResult: Sendable, Hashable {
    /// A ``ZooKeeperOperation/check(path:version:)`` held.
    case checked
    /// A node was created at this path (with the sequence suffix for sequential modes).
    case created(String)
    /// A node's data was written; its new stat.
    case set(ZooKeeperStat)
    /// A node was deleted.
    case deleted
}
