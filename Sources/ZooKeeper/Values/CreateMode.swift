import CZooKeeper

/// How ``ZooKeeperClient/create(_:data:mode:acl:createParents:)`` creates a node.
public enum CreateMode: Sendable, Hashable {
    /// A node that lives until deleted.
    case persistent
    /// A node deleted when the creating session ends (closes or expires).
    case ephemeral
    /// A persistent node whose name gets a monotonically increasing 10-digit suffix.
    case persistentSequential
    /// An ephemeral node whose name gets a monotonically increasing 10-digit suffix.
    case ephemeralSequential

    /// The C client's create flags.
    var cFlags: Int32 {
        switch self {
        case .persistent: ZOO_PERSISTENT
        case .ephemeral: ZOO_EPHEMERAL
        case .persistentSequential: ZOO_PERSISTENT_SEQUENTIAL
        case .ephemeralSequential: ZOO_EPHEMERAL_SEQUENTIAL
        }
    }
}
