#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every instance record an ``ObserverReader`` read at its last refresh, under the root and the
/// `failover.peer_roots`: the fleet, for `meta-proxy status`-like views and for observer counting.
public struct FleetView: Sendable, Hashable {
    /// One instance's record as read.
    public struct Member: Sendable, Hashable {
        /// The ZooKeeper root it is registered under.
        public var root: String
        /// Whether `root` is this reader's own root (not a peer root).
        public var ownRoot: Bool
        /// The record.
        public var record: InstanceRecord
        /// The node's ZooKeeper `mtime` (milliseconds since the epoch, ZooKeeper's clock).
        public var mtime: Int64
        /// The record's age when read: estimated ZooKeeper-now minus `mtime`, in milliseconds (≥ 0).
        public var ageMs: Int64
        /// Whether it counts as a live observer: its age was at most the reader's `stale_after`.
        public var live: Bool

        /// Creates a member.
        public init(root: String, ownRoot: Bool, record: InstanceRecord, mtime: Int64, ageMs: Int64, live: Bool) {
            self.root = root
            self.ownRoot = ownRoot
            self.record = record
            self.mtime = mtime
            self.ageMs = ageMs
            self.live = live
        }
    }

    /// The members, sorted by root (own root first) and instance id.
    public var members: [Member]
    /// Nodes that could not be read or decoded, path → error (they do not count as observers).
    public var errors: [String: String]
    /// When the refresh finished (reader's wall clock), `nil` before the first one.
    public var readAt: Date?

    /// Creates a view.
    public init(members: [Member] = [], errors: [String: String] = [:], readAt: Date? = nil) {
        self.members = members
        self.errors = errors
        self.readAt = readAt
    }

    /// The live members.
    public var live: [Member] { members.filter(\.live) }
}
