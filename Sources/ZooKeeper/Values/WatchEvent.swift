import CZooKeeper

/// A one-shot watch notification passed to the `watch` callback of ``ZooKeeperClient/get(_:watch:)``,
/// ``ZooKeeperClient/exists(_:watch:)`` and ``ZooKeeperClient/children(_:watch:)``.
///
/// Each watch callback is called exactly once, with either a node event (`created`, `deleted`, `dataChanged`,
/// `childrenChanged`, `notWatching`) or a final `session` event whose ``state`` is ``SessionState/expired`` (the
/// session, and with it the watch, is gone) or ``SessionState/closed`` (the client was closed). Brief connection
/// losses are not delivered: the C client re-registers the watch on reconnection, so it stays armed.
public struct WatchEvent: Sendable, Hashable {
    /// What happened.
    public enum EventType: Sendable, Hashable {
        /// The watched node was created (exists watches only).
        case created
        /// The watched node was deleted.
        case deleted
        /// The watched node's data changed.
        case dataChanged
        /// The watched node's children changed.
        case childrenChanged
        /// The session that held the watch ended; see ``WatchEvent/state``.
        case session
        /// The server stopped watching (watch removed).
        case notWatching

        /// Maps a C event type (`ZOO_*_EVENT`).
        init?(cType: Int32) {
            switch cType {
            case ZOO_CREATED_EVENT: self = .created
            case ZOO_DELETED_EVENT: self = .deleted
            case ZOO_CHANGED_EVENT: self = .dataChanged
            case ZOO_CHILD_EVENT: self = .childrenChanged
            case ZOO_SESSION_EVENT: self = .session
            case ZOO_NOTWATCHING_EVENT: self = .notWatching
            default: return nil
            }
        }
    }

    /// What happened.
    public var type: EventType
    /// The watched path.
    public var path: String
    /// The session state when the event was delivered.
    public var state: SessionState

    /// Creates an event.
    public init(type: EventType, path: String, state: SessionState) {
        self.type = type
        self.path = path
        self.state = state
    }
}
