/// A ReplicaServer that did not answer `GET /replica/duplication`.
public struct ReplicaProbeFailure: Sendable, Hashable, Codable {
    /// The replica's `host:port`.
    public var replica: String
    /// The error.
    public var error: String

    /// Creates a failure.
    /// - Parameters:
    ///   - replica: The replica's `host:port`.
    ///   - error: The error.
    public init(replica: String, error: String) {
        self.replica = replica
        self.error = error
    }
}
