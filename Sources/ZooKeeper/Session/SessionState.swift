import CZooKeeper

/// The state of a ``ZooKeeperClient``'s session, as published by ``ZooKeeperClient/sessionStates()``.
public enum SessionState: Sendable, Hashable {
    /// ``ZooKeeperClient/connect()`` started and no session is established yet.
    case connecting
    /// A session is established and requests are served.
    case connected
    /// Not connected: either ``ZooKeeperClient/connect()`` was not called yet, or the connection was lost and the
    /// C client is reconnecting within the same session (watches and ephemeral nodes survive if it succeeds before
    /// the session timeout).
    case disconnected
    /// The server expired the session: its ephemeral nodes and watches are gone. The client replaces the session
    /// by itself; ``connected`` follows once the new one is established.
    case expired
    /// Authentication failed; the session is unusable until the client is closed.
    case authFailed
    /// ``ZooKeeperClient/close()`` finished. Final.
    case closed

    /// Maps a C state (`ZOO_*_STATE`) of a session event.
    /// - Returns: `nil` for states that are not transitions we publish (associating).
    init?(sessionEventState state: Int32) {
        switch state {
        case ZOO_CONNECTED_STATE, ZOO_READONLY_STATE:
            // READONLY is only given to handles created with the ZOO_READONLY flag, which we never pass.
            self = .connected
        case ZOO_CONNECTING_STATE:
            // The C client reports CONNECTING in a session event only when an established connection is lost.
            self = .disconnected
        case ZOO_EXPIRED_SESSION_STATE:
            self = .expired
        case ZOO_AUTH_FAILED_STATE:
            self = .authFailed
        default:
            return nil
        }
    }
}
