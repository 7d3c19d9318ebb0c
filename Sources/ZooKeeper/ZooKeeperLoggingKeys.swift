/// Logger metadata keys of the ZooKeeper module.
enum ZooKeeperLoggingKeys {
    /// The znode path of an operation.
    static let path = "zk.path"
    /// The configured servers.
    static let hosts = "zk.hosts"
    /// The session id, hexadecimal.
    static let sessionID = "zk.session.id"
    /// The session state.
    static let sessionState = "zk.session.state"
    /// The internal generation of the session (how many sessions this client created).
    static let sessionGeneration = "zk.session.generation"
    /// How many requests the C client dropped during `zookeeper_close` (completed by the close sweep).
    static let droppedRequests = "zk.requests.dropped"
    /// A line logged by the C client.
    static let cMessage = "zk.c.message"
    /// How many lines of the same shape were folded before this one (`153 times in 10 s`).
    static let cRepeated = "zk.c.repeated"
}
