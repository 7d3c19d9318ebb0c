/// Logger metadata keys of this module.
enum LoggingKeys {
    static let cluster = "metaproxy.cluster"
    static let meta = "metaproxy.meta"
    static let table = "metaproxy.table"
    static let replica = "peer.address"
    static let replicasAnswered = "replica.answered"
    static let replicasFailed = "replica.failed"
    static let healthFrom = "health.from"
    static let healthTo = "health.to"
    static let healthReason = "health.reason"
    static let healthDetail = "health.detail"
    static let error = "error"
}
