/// The answer of a leader-only MetaServer endpoint: the leader's result, or a redirect to the leader.
public enum LeaderReply<Value: Sendable>: Sendable {
    /// The MetaServer asked is the leader and answered (HTTP 200).
    case answered(Value)
    /// The MetaServer asked is not the leader (HTTP 307). `leader` is the `host:port` from `Location`,
    /// or `nil` when it does not parse (a follower that does not know the leader sends `invalid host_port`).
    case redirected(leader: String?)
}

extension LeaderReply: Equatable where Value: Equatable {}
extension LeaderReply: Hashable where Value: Hashable {}
