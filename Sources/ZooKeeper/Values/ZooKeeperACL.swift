import CZooKeeper

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A znode access control list: entries of scheme, id and permissions.
public struct ZooKeeperACL: Sendable, Hashable {
    /// What an ACL entry allows.
    public struct Permissions: OptionSet, Sendable, Hashable {
        /// The C bit mask (`ZOO_PERM_*`).
        public let rawValue: Int32

        /// Creates permissions from a C bit mask.
        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        /// Read data and list children.
        public static let read = Permissions(rawValue: ZOO_PERM_READ)
        /// Set data.
        public static let write = Permissions(rawValue: ZOO_PERM_WRITE)
        /// Create children.
        public static let create = Permissions(rawValue: ZOO_PERM_CREATE)
        /// Delete children.
        public static let delete = Permissions(rawValue: ZOO_PERM_DELETE)
        /// Set the ACL.
        public static let admin = Permissions(rawValue: ZOO_PERM_ADMIN)
        /// Everything.
        public static let all = Permissions(rawValue: ZOO_PERM_ALL)
    }

    /// One ACL entry, such as `world:anyone` with ``Permissions/all``.
    public struct Entry: Sendable, Hashable {
        /// The scheme: `world`, `auth`, `digest`, `ip`, …
        public var scheme: String
        /// The id within the scheme: `anyone` for `world`, `user:base64(sha1(user:password))` for `digest`.
        public var id: String
        /// What the id may do.
        public var permissions: Permissions

        /// Creates an entry.
        public init(scheme: String, id: String, permissions: Permissions) {
            self.scheme = scheme
            self.id = id
            self.permissions = permissions
        }
    }

    /// The entries, in order.
    public var entries: [Entry]

    /// Creates an ACL from entries. An empty list is rejected by the server.
    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// Everyone may do everything (`world:anyone`, all; the C client's `ZOO_OPEN_ACL_UNSAFE`).
    public static let openUnsafe = ZooKeeperACL([Entry(scheme: "world", id: "anyone", permissions: .all)])

    /// The creator's authenticated ids may do everything (`auth:`, all; `ZOO_CREATOR_ALL_ACL`).
    /// - Important: The creating session must have called ``ZooKeeperClient/addAuth(_:)`` (or been configured with
    ///   ``ZooKeeperConfiguration/auth``) first, or the server answers ``ZooKeeperError/Code/invalidACL``.
    public static let creatorAll = ZooKeeperACL([Entry(scheme: "auth", id: "", permissions: .all)])

    /// Everyone may read; the creator's authenticated ids may do everything.
    public static let readOnlyWorldCreatorAll = ZooKeeperACL([
        Entry(scheme: "world", id: "anyone", permissions: .read),
        Entry(scheme: "auth", id: "", permissions: .all),
    ])

    /// Calls `body` with a C `ACL_vector` whose strings live only for the call (the `zoo_a*` calls serialize the
    /// ACL before they return).
    /// - Returns: `body`'s result, or `ZSYSTEMERROR` if a string could not be copied.
    func withCACLVector(_ body: (UnsafeMutablePointer<ACL_vector>) -> Int32) -> Int32 {
        let count = entries.count
        let acls = UnsafeMutablePointer<ACL>.allocate(capacity: max(count, 1))
        var copied: [UnsafeMutablePointer<CChar>] = []
        defer {
            copied.forEach { free($0) }
            acls.deallocate()
        }
        for (index, entry) in entries.enumerated() {
            guard let scheme = strdup(entry.scheme), let id = strdup(entry.id) else {
                return ZSYSTEMERROR.rawValue
            }
            copied.append(scheme)
            copied.append(id)
            (acls + index).initialize(to: ACL(perms: entry.permissions.rawValue, id: Id(scheme: scheme, id: id)))
        }
        var vector = ACL_vector(count: Int32(count), data: acls)
        return body(&vector)
    }
}
